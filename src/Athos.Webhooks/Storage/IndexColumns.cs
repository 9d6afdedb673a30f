namespace Athos.Webhooks.Storage;

/// <summary>
/// The columns an index row repeats from its <c>AthosCalls</c> row: all of them but <c>ScoreJson</c>, the
/// recording's state and the change feed's key and kind (<see cref="CallRow.CloneWithKeys"/> copies exactly these). Compared by value, so that a writer
/// and <c>verify</c> agree on what "the same row" means.
/// </summary>
internal static class IndexColumns
{
    private static readonly (string Name, Func<CallRow, object?> Value)[] Columns =
    [
        (nameof(CallRow.CallId), r => r.CallId),
        (nameof(CallRow.Status), r => r.Status),
        (nameof(CallRow.Source), r => r.Source),
        (nameof(CallRow.ExternalUserId), r => r.ExternalUserId),
        (nameof(CallRow.ExternalAgencyId), r => r.ExternalAgencyId),
        (nameof(CallRow.AgentId), r => r.AgentId),
        (nameof(CallRow.AgencyId), r => r.AgencyId),
        (nameof(CallRow.DrillKey), r => r.DrillKey),
        (nameof(CallRow.StartedAt), r => r.StartedAt),
        (nameof(CallRow.EndedAt), r => r.EndedAt),
        (nameof(CallRow.DurationSec), r => r.DurationSec),
        (nameof(CallRow.ScoredAt), r => r.ScoredAt),
        (nameof(CallRow.OverallScore), r => r.OverallScore),
        (nameof(CallRow.Summary), r => r.Summary),
        (nameof(CallRow.Feedback), r => r.Feedback),
        (nameof(CallRow.ComplianceTotalScore), r => r.ComplianceTotalScore),
        (nameof(CallRow.FailureReason), r => r.FailureReason),
        (nameof(CallRow.FailureMessage), r => r.FailureMessage),
        (nameof(CallRow.FailedAt), r => r.FailedAt),
        (nameof(CallRow.AthosUpdatedAt), r => r.AthosUpdatedAt),
        (nameof(CallRow.EnrichedAt), r => r.EnrichedAt),
        (nameof(CallRow.AthosRequestId), r => r.AthosRequestId),
        (nameof(CallRow.Truncated), r => r.Truncated),
        (nameof(CallRow.SchemaVersion), r => r.SchemaVersion),
    ];

    public static IReadOnlyList<string> Names { get; } = [.. Columns.Select(c => c.Name)];

    /// <summary>The columns whose values differ (<see cref="DateTimeOffset"/>s compare as instants).</summary>
    public static IReadOnlyList<string> Differences(CallRow expected, CallRow actual) =>
        [.. Columns.Where(c => !Equals(c.Value(expected), c.Value(actual))).Select(c => c.Name)];
}
