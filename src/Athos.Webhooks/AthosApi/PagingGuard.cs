using System.Security.Cryptography;
using System.Text;

namespace Athos.Webhooks.AthosApi;

/// <summary>
/// What a chain of list pages has seen, so that a broken cursor cannot make it page forever: a cursor Athos returns
/// again (A→A, A→B→A), or a page that goes back in time (rows newer than ones an earlier page already served, which a
/// newest-first list never does unless it loops). Its state can be saved between the pages of a chain that spans
/// several work items (a backfill).
/// </summary>
internal sealed class PagingGuard
{
    /// <summary>
    /// The <see cref="AthosApiException.ErrorCode"/> of a loop the guard caught: lowercase, so it is never mistaken for
    /// one of Athos's own codes.
    /// </summary>
    public const string LoopCode = "cursor_loop";

    /// <summary>Enough for loops of any length that matter; the time check catches longer ones.</summary>
    private const int RememberedCursors = 512;

    private readonly Queue<string> _order = new();
    private readonly HashSet<string> _cursors = new(StringComparer.Ordinal);
    private DateTimeOffset? _oldest;

    /// <summary>
    /// Checks a page fetched with <paramref name="usedCursor"/> and remembers it.
    /// </summary>
    /// <exception cref="AthosApiException">The page loops back (<see cref="AthosErrorKind.InvalidRequest"/>, with Athos's request id).</exception>
    public void Check(CallPage page, string? usedCursor)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (usedCursor is not null)
        {
            Remember(Fingerprint(usedCursor));
        }

        if (page.NextCursor is { } next && _cursors.Contains(Fingerprint(next)))
        {
            throw Loop(page, "Athos returned a cursor it had already returned in this listing");
        }

        var times = page.Data.Select(c => c.ListTime()).OfType<DateTimeOffset>().ToList();
        if (times.Count == 0)
        {
            return;
        }

        if (_oldest is { } oldest && times.Max() > oldest)
        {
            throw Loop(page, $"Athos served a call newer ({times.Max():o}) than one an earlier page already served ({oldest:o}), in a list that is newest first");
        }

        _oldest = _oldest is { } before && before < times.Min() ? before : times.Min();
    }

    /// <summary>The state to carry to the next work item of the chain.</summary>
    public string Save() =>
        string.Join(',', [_oldest?.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty, .. _order]);

    public static PagingGuard Restore(string? state)
    {
        var guard = new PagingGuard();
        if (string.IsNullOrEmpty(state))
        {
            return guard;
        }

        var parts = state.Split(',');
        if (long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks))
        {
            guard._oldest = new DateTimeOffset(ticks, TimeSpan.Zero);
        }

        foreach (var fingerprint in parts.Skip(1))
        {
            guard.Remember(fingerprint);
        }

        return guard;
    }

    private void Remember(string fingerprint)
    {
        if (!_cursors.Add(fingerprint))
        {
            return;
        }

        _order.Enqueue(fingerprint);
        if (_order.Count > RememberedCursors)
        {
            _cursors.Remove(_order.Dequeue());
        }
    }

    // Cursors are opaque and can be long; a 64-bit fingerprint is plenty to tell them apart.
    private static string Fingerprint(string cursor) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(cursor)).AsSpan(0, 8));

    private static AthosApiException Loop(CallPage page, string what) =>
        new(AthosErrorKind.InvalidRequest, $"{what}; stopped rather than paging forever (Athos request {page.RequestId}).", errorCode: LoopCode, requestId: page.RequestId);
}
