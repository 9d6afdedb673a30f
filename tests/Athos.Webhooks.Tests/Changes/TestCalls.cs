using Athos.Webhooks.Changes;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Writing;
using Azure.Data.Tables;

namespace Athos.Webhooks.Tests.Changes;

/// <summary>Versions of calls to write through <see cref="CallRowWriter"/>, and what the change table holds.</summary>
internal static class TestCalls
{
    public static readonly DateTimeOffset Ended = new(2026, 3, 10, 15, 0, 0, TimeSpan.Zero);

    /// <summary>The writer as the app composes it, on <paramref name="tables"/> and <paramref name="clock"/> (the system's by default).</summary>
    public static CallRowWriter Writer(TableServiceClient tables, TimeProvider? clock = null) =>
        new(tables, new CallIndex(tables), new ChangeLog(tables, clock ?? TimeProvider.System));

    /// <summary>
    /// Version <paramref name="n"/> of a scored call: each later one scored an hour later, by another score; it ended at
    /// <see cref="Ended"/> unless <paramref name="endedAt"/> moves it (to another day of the index, say).
    /// </summary>
    public static CallRow Scored(string callId, int n, string rep = "rep_a", DateTimeOffset? endedAt = null) => new()
    {
        CallId = callId,
        Status = CallStatus.Scored,
        Source = "roleplay",
        ExternalUserId = rep,
        ExternalAgencyId = "agency_chicago",
        AgentId = "athos_agent_" + rep,
        DrillKey = "ma-full-sale",
        StartedAt = (endedAt ?? Ended).AddMinutes(-6),
        EndedAt = endedAt ?? Ended,
        DurationSec = 360,
        ScoredAt = Ended.AddHours(n),
        AthosUpdatedAt = Ended.AddHours(n),
        OverallScore = 60 + n,
        Summary = $"version {n}",
        Feedback = $"feedback {n}",
        EnrichedAt = Ended.AddDays(1).AddMinutes(n),
        AthosRequestId = $"req_v{n}",
    };

    /// <summary>A scoring failure reported by webhook (any score beats it), 40 s after <see cref="Ended"/> unless <paramref name="failedAt"/> says otherwise.</summary>
    public static CallRow Failure(string callId, string rep = "rep_a", DateTimeOffset? failedAt = null) => new()
    {
        CallId = callId,
        Status = CallStatus.Failed,
        Source = "roleplay",
        ExternalUserId = rep,
        FailureReason = "SCORING_INCOMPLETE",
        FailureMessage = "Too short to score.",
        FailedAt = failedAt ?? Ended.AddSeconds(40),
        EnrichedAt = (failedAt ?? Ended.AddSeconds(40)).AddSeconds(20),
    };

    /// <summary>A row of its own for each write (the writer sets keys and columns on it).</summary>
    public static CallRow Fresh(CallRow row)
    {
        var copy = row.CloneWithKeys(string.Empty, string.Empty, withScoreJson: true);
        copy.SchemaVersion = row.SchemaVersion;
        return copy;
    }

    /// <summary>Every row of <c>AthosCallChanges</c> (changes and void rows, not the purge watermark), in row-key order.</summary>
    public static async Task<List<ChangeRow>> ChangeRowsAsync(string connectionString)
    {
        var rows = new List<ChangeRow>();
        var table = new TableClient(connectionString, StorageNames.CallChangesTable);
        await foreach (var row in table.QueryAsync<ChangeRow>(r => r.PartitionKey != ChangeKeys.PurgePartition))
        {
            rows.Add(row);
        }

        return [.. rows.OrderBy(r => r.RowKey, StringComparer.Ordinal)];
    }

    /// <summary>Reads every page a feed has now, from <paramref name="checkpoint"/>; the changes and where to resume.</summary>
    public static async Task<(List<CallChange> Changes, string Checkpoint)> ReadAllAsync(CallChangeFeed feed, string? checkpoint, int pageSize = 3)
    {
        var changes = new List<CallChange>();
        CallChangePage page;
        do
        {
            page = await feed.ReadChangesAsync(checkpoint, pageSize, TestContext.Current.CancellationToken);
            changes.AddRange(page.Changes);
            checkpoint = page.Checkpoint;
        }
        while (page.HasMore);

        return (changes, checkpoint!);
    }
}
