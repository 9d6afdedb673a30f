using Athos.Webhooks.Roster;

namespace Athos.Webhooks.Exports;

/// <summary>
/// The columns of <c>calls/current</c> (every consumer column of <c>AthosCalls</c>, docs/schema.md, under its own
/// name), of <c>scores</c>, <c>agents</c> and <c>calls/changes</c>. docs/consumers.md lists them; changing one is a
/// breaking change for the reports built on it.
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

    /// <summary>
    /// The rep dimension, from the roster mirror: names and agencies to join on (by <c>AgentId</c>, or by
    /// <c>PlatformAgentId</c>). Emails and NPNs stay in <c>AthosAgents</c>, which only the roster's own readers read.
    /// </summary>
    public static ParquetColumns<MirroredAgent> Agents { get; } = new ParquetColumns<MirroredAgent>()
        .Text(nameof(MirroredAgent.AgentId), r => r.AgentId, nullable: false)
        .Text(nameof(MirroredAgent.PlatformAgentId), r => r.PlatformAgentId)
        .Text(nameof(MirroredAgent.FirstName), r => r.FirstName)
        .Text(nameof(MirroredAgent.LastName), r => r.LastName)
        .Text(nameof(MirroredAgent.AgencyId), r => r.AgencyId)
        .Text(nameof(MirroredAgent.AgencyName), r => r.AgencyName)
        .Time(nameof(MirroredAgent.AthosCreatedAt), r => r.AthosCreatedAt)
        .Time(nameof(MirroredAgent.RemovedAt), r => r.RemovedAt);

    /// <summary>
    /// The change feed's own columns (<see cref="ChangeRecord"/>, which reads the files back), optional where
    /// <c>AthosCallChanges</c> may leave them out.
    /// </summary>
    public static ParquetColumns<ChangeRecord> Changes { get; } = new ParquetColumns<ChangeRecord>()
        .Text(nameof(ChangeRecord.CallId), r => r.CallId, nullable: false)
        .Text(nameof(ChangeRecord.ChangeKind), r => r.ChangeKind, nullable: false)
        .RequiredTime(nameof(ChangeRecord.ChangedAt), r => Utc(r.ChangedAt))
        .Text(nameof(ChangeRecord.Status), r => r.Status, nullable: false)
        .Number(nameof(ChangeRecord.OverallScore), r => r.OverallScore)
        .Time(nameof(ChangeRecord.ScoredAt), r => r.ScoredAt is { } scored ? Utc(scored) : null)
        .Time(nameof(ChangeRecord.AthosUpdatedAt), r => r.AthosUpdatedAt is { } updated ? Utc(updated) : null)
        .Text(nameof(ChangeRecord.ExternalUserId), r => r.ExternalUserId)
        .Text(nameof(ChangeRecord.AgentId), r => r.AgentId)
        .Text(nameof(ChangeRecord.Checkpoint), r => r.Checkpoint, nullable: false);

    // A record's times are UTC (read back, their kind may be unspecified).
    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}

/// <summary>One number of a call's score (<see cref="ScoreNumbers"/>): a row of <c>scores</c>.</summary>
internal sealed record ScoreRow(string CallId, string Path, double Value, DateTimeOffset? EndedAt);
