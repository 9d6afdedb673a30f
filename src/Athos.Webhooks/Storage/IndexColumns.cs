namespace Athos.Webhooks.Storage;

/// <summary>
/// The columns an index row repeats from its <c>AthosCalls</c> row, declared once: all of them but <c>ScoreJson</c>, the
/// recording's state and the change feed's key and kind. <c>CallRow.CloneWithKeys</c> (<see cref="CallRowFacts"/>) copies exactly these, and they
/// are compared by value, so that a writer and <c>verify</c> agree on what "the same row" means.
/// </summary>
internal static class IndexColumns
{
    private static readonly (string Name, Func<CallRow, object?> Value, Action<CallRow, CallRow> Copy)[] Columns =
    [
        Column(nameof(CallRow.CallId), r => r.CallId, (r, v) => r.CallId = v),
        Column(nameof(CallRow.Status), r => r.Status, (r, v) => r.Status = v),
        Column(nameof(CallRow.Source), r => r.Source, (r, v) => r.Source = v),
        Column(nameof(CallRow.ExternalUserId), r => r.ExternalUserId, (r, v) => r.ExternalUserId = v),
        Column(nameof(CallRow.ExternalAgencyId), r => r.ExternalAgencyId, (r, v) => r.ExternalAgencyId = v),
        Column(nameof(CallRow.AgentId), r => r.AgentId, (r, v) => r.AgentId = v),
        Column(nameof(CallRow.AgencyId), r => r.AgencyId, (r, v) => r.AgencyId = v),
        Column(nameof(CallRow.DrillKey), r => r.DrillKey, (r, v) => r.DrillKey = v),
        Column(nameof(CallRow.StartedAt), r => r.StartedAt, (r, v) => r.StartedAt = v),
        Column(nameof(CallRow.EndedAt), r => r.EndedAt, (r, v) => r.EndedAt = v),
        Column(nameof(CallRow.DurationSec), r => r.DurationSec, (r, v) => r.DurationSec = v),
        Column(nameof(CallRow.ScoredAt), r => r.ScoredAt, (r, v) => r.ScoredAt = v),
        Column(nameof(CallRow.OverallScore), r => r.OverallScore, (r, v) => r.OverallScore = v),
        Column(nameof(CallRow.Summary), r => r.Summary, (r, v) => r.Summary = v),
        Column(nameof(CallRow.Feedback), r => r.Feedback, (r, v) => r.Feedback = v),
        Column(nameof(CallRow.ComplianceTotalScore), r => r.ComplianceTotalScore, (r, v) => r.ComplianceTotalScore = v),
        Column(nameof(CallRow.FailureReason), r => r.FailureReason, (r, v) => r.FailureReason = v),
        Column(nameof(CallRow.FailureMessage), r => r.FailureMessage, (r, v) => r.FailureMessage = v),
        Column(nameof(CallRow.FailedAt), r => r.FailedAt, (r, v) => r.FailedAt = v),
        Column(nameof(CallRow.AthosUpdatedAt), r => r.AthosUpdatedAt, (r, v) => r.AthosUpdatedAt = v),
        Column(nameof(CallRow.EnrichedAt), r => r.EnrichedAt, (r, v) => r.EnrichedAt = v),
        Column(nameof(CallRow.AthosRequestId), r => r.AthosRequestId, (r, v) => r.AthosRequestId = v),
        Column(nameof(CallRow.Truncated), r => r.Truncated, (r, v) => r.Truncated = v),
        Column(nameof(CallRow.SchemaVersion), r => r.SchemaVersion, (r, v) => r.SchemaVersion = v),
    ];

    public static IReadOnlyList<string> Names { get; } = [.. Columns.Select(c => c.Name)];

    /// <summary>Copies the index columns of <paramref name="from"/> onto <paramref name="to"/>.</summary>
    public static void Copy(CallRow from, CallRow to)
    {
        foreach (var column in Columns)
        {
            column.Copy(from, to);
        }
    }

    /// <summary>The columns whose values differ (<see cref="DateTimeOffset"/>s compare as instants).</summary>
    public static IReadOnlyList<string> Differences(CallRow expected, CallRow actual) =>
        [.. Columns.Where(c => !Equals(c.Value(expected), c.Value(actual))).Select(c => c.Name)];

    private static (string Name, Func<CallRow, object?> Value, Action<CallRow, CallRow> Copy) Column<T>(string name, Func<CallRow, T> get, Action<CallRow, T> set) =>
        (name, row => get(row), (from, to) => set(to, get(from)));
}
