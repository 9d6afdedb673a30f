
namespace Athos.Webhooks.Health;

/// <summary>
/// How fresh the newest stored calls are: the latest rows of <c>AthosCallsByDay</c> (today's partition, then
/// yesterday's), and for each scored one how long after Athos scored it it was stored (<c>EnrichedAt</c> −
/// <c>ScoredAt</c>). One or two queries.
/// </summary>
internal sealed class NewestRows(CallReader reader)
{
    /// <summary>Rows looked at.</summary>
    internal const int Sample = 20;

    public async Task<RowFreshness> CheckAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var rows = await reader.ByDayAsync(today, Sample, cancellationToken);
        if (rows.Count < Sample)
        {
            rows.AddRange(await reader.ByDayAsync(today.AddDays(-1), Sample - rows.Count, cancellationToken));
        }

        var scored = rows.Where(r => r.Status == CallStatus.Scored && r.ScoredAt is not null && r.EnrichedAt is not null).ToList();
        var seconds = scored.Select(r => Math.Max(0, (r.EnrichedAt!.Value - r.ScoredAt!.Value).TotalSeconds)).Order().ToList();
        return new RowFreshness(
            rows.Count,
            rows.Select(r => r.EndedAt).Max(),
            rows.Select(r => r.EnrichedAt).Max(),
            seconds.Count == 0 ? null : Math.Round(seconds[(seconds.Count - 1) / 2], 1),
            seconds.Count == 0 ? null : Math.Round(seconds[^1], 1));
    }
}

/// <param name="Rows">Rows looked at (the newest of today and yesterday, UTC, at most <see cref="NewestRows.Sample"/>).</param>
/// <param name="NewestEndedAt">The newest call's <c>endedAt</c>.</param>
/// <param name="LastWrittenAt">The latest <c>EnrichedAt</c> among them.</param>
/// <param name="MedianSeconds">Median of <c>EnrichedAt</c> − <c>ScoredAt</c> over the scored ones.</param>
/// <param name="MaxSeconds">The largest.</param>
internal sealed record RowFreshness(int Rows, DateTimeOffset? NewestEndedAt, DateTimeOffset? LastWrittenAt, double? MedianSeconds, double? MaxSeconds);
