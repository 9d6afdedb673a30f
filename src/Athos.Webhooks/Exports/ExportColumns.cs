namespace Athos.Webhooks.Exports;

/// <summary>
/// The columns of <c>calls/current</c> (every consumer column of <c>AthosCalls</c>, docs/schema.md, under its own
/// name) and of <c>scores</c>. docs/consumers.md lists them; changing one is a breaking change for the reports built on it.
/// </summary>
internal static class ExportColumns
{
    public static ParquetColumns<CallRow> Calls { get; } = new ParquetColumns<CallRow>()
        .Text(nameof(CallRow.CallId), r => r.CallId, nullable: false)
        .Text(nameof(CallRow.Status), r => r.Status, nullable: false)
        .Text(nameof(CallRow.Source), r => r.Source)
        .Text(nameof(CallRow.ExternalUserId), r => r.ExternalUserId)
        .Text(nameof(CallRow.ExternalAgencyId), r => r.ExternalAgencyId)
        .Text(nameof(CallRow.AgentId), r => r.AgentId)
        .Text(nameof(CallRow.AgencyId), r => r.AgencyId)
        .Text(nameof(CallRow.DrillKey), r => r.DrillKey)
        .Time(nameof(CallRow.StartedAt), r => r.StartedAt)
        .Time(nameof(CallRow.EndedAt), r => r.EndedAt)
        .Integer(nameof(CallRow.DurationSec), r => r.DurationSec)
        .Time(nameof(CallRow.ScoredAt), r => r.ScoredAt)
        .Number(nameof(CallRow.OverallScore), r => r.OverallScore)
        .Text(nameof(CallRow.Summary), r => r.Summary)
        .Text(nameof(CallRow.Feedback), r => r.Feedback)
        .Number(nameof(CallRow.ComplianceTotalScore), r => r.ComplianceTotalScore)
        .Text(nameof(CallRow.ScoreJson), r => r.ScoreJson)
        .Text(nameof(CallRow.FailureReason), r => r.FailureReason)
        .Text(nameof(CallRow.FailureMessage), r => r.FailureMessage)
        .Time(nameof(CallRow.FailedAt), r => r.FailedAt)
        .Time(nameof(CallRow.AthosUpdatedAt), r => r.AthosUpdatedAt)
        .Time(nameof(CallRow.EnrichedAt), r => r.EnrichedAt)
        .Text(nameof(CallRow.AthosRequestId), r => r.AthosRequestId)
        .Text(nameof(CallRow.RecordingStatus), r => r.RecordingStatus)
        .Text(nameof(CallRow.RecordingError), r => r.RecordingError)
        .Text(nameof(CallRow.Truncated), r => r.Truncated)
        .RequiredInteger(nameof(CallRow.SchemaVersion), r => r.SchemaVersion)
        .Text(nameof(CallRow.ChangeKey), r => r.ChangeKey)
        .Text(nameof(CallRow.ChangeKind), r => r.ChangeKind);

    public static ParquetColumns<ScoreRow> Scores { get; } = new ParquetColumns<ScoreRow>()
        .Text(nameof(ScoreRow.CallId), r => r.CallId, nullable: false)
        .Text(nameof(ScoreRow.Path), r => r.Path, nullable: false)
        .RequiredNumber(nameof(ScoreRow.Value), r => r.Value)
        .Time(nameof(ScoreRow.EndedAt), r => r.EndedAt);
}

/// <summary>One number of a call's score (<see cref="ScoreNumbers"/>): a row of <c>scores</c>.</summary>
internal sealed record ScoreRow(string CallId, string Path, double Value, DateTimeOffset? EndedAt);
