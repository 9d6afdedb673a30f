namespace Athos.Webhooks.Consumer;

/// <summary>
/// One change of <c>AthosCallChanges</c>: a call's stored version changed, or the call was erased. The columns say which
/// version; read the call itself (<see cref="CallChangeFeed.GetCallAsync"/>) for everything else.
/// </summary>
/// <param name="CallId">The call, <c>athos_call_…</c>.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Status"><c>scored</c> or <c>failed</c>; empty for an <c>erased</c> change, which carries the call id only.</param>
/// <param name="OverallScore">The version's score (null for a failure, or when Athos sent none).</param>
/// <param name="ScoredAt">When Athos scored the version.</param>
/// <param name="AthosUpdatedAt">Athos's <c>updatedAt</c> of the version.</param>
/// <param name="ExternalUserId">Your own id for the rep, if any.</param>
/// <param name="AgentId">Athos's id for the rep (current contract).</param>
/// <param name="ChangedAt">When the version was stored here (the write stamp, by the writing instance's clock).</param>
/// <param name="Checkpoint">Where to resume to read the changes after this one (opaque).</param>
public sealed record CallChange(
    string CallId,
    CallChangeKind Kind,
    string Status,
    double? OverallScore,
    DateTimeOffset? ScoredAt,
    DateTimeOffset? AthosUpdatedAt,
    string? ExternalUserId,
    string? AgentId,
    DateTimeOffset ChangedAt,
    string Checkpoint)
{
    /// <summary>The <c>ChangeKind</c> column's value: <c>created</c>, <c>rescored</c>, <c>scored_after_failure</c>, <c>failed</c>, <c>recording_archived</c> or <c>erased</c>.</summary>
    public string KindName => CallChangeKindNames.NameOf(Kind);

    internal static CallChange From(ChangeRow row) => new(
        row.CallId,
        CallChangeKindNames.Read(row.ChangeKind),
        row.Status ?? string.Empty,
        row.OverallScore,
        row.ScoredAt,
        row.AthosUpdatedAt,
        row.ExternalUserId,
        row.AgentId,
        row.ChangedAt,
        row.RowKey);
}
