namespace Athos.Webhooks.Consumer;

/// <summary>
/// A stored call as a consumer reads it: the <c>AthosCalls</c> row's columns of docs/schema.md, typed, so that no
/// consumer needs a column name. Read one with <see cref="CallChangeFeed.GetCallAsync"/>.
/// </summary>
public sealed record AthosCall
{
    /// <summary>Athos's public call id, <c>athos_call_…</c>.</summary>
    public required string CallId { get; init; }

    /// <summary><c>scored</c>, or <c>failed</c> when Athos reported that scoring failed (<see cref="CallStatus"/>).</summary>
    public required string Status { get; init; }

    /// <summary><c>roleplay</c> or <c>real_call</c>.</summary>
    public string? Source { get; init; }

    /// <summary>Your own id for the rep (null when you never registered one).</summary>
    public string? ExternalUserId { get; init; }

    /// <summary>Your own id for the agency.</summary>
    public string? ExternalAgencyId { get; init; }

    /// <summary>Athos's id for the rep, <c>athos_agent_…</c> (current contract).</summary>
    public string? AgentId { get; init; }

    /// <summary>Athos's id for the agency, <c>athos_agency_…</c> (current contract).</summary>
    public string? AgencyId { get; init; }

    /// <summary>The practised drill; null for real calls.</summary>
    public string? DrillKey { get; init; }

    /// <summary>When the call started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the call ended.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>The call's length in seconds.</summary>
    public int? DurationSec { get; init; }

    /// <summary>When Athos scored this version.</summary>
    public DateTimeOffset? ScoredAt { get; init; }

    /// <summary>0–100; null when Athos sent none (never 0 for "no headline score").</summary>
    public double? OverallScore { get; init; }

    /// <summary>Athos's summary of the call.</summary>
    public string? Summary { get; init; }

    /// <summary>Athos's feedback to the rep.</summary>
    public string? Feedback { get; init; }

    /// <summary>The compliance scorecard's total; null when not assessed (never 0 for that).</summary>
    public double? ComplianceTotalScore { get; init; }

    /// <summary>The whole <c>score</c> object as Athos sent it (JSON); null when too large for a table (see <see cref="Truncated"/>).</summary>
    public string? ScoreJson { get; init; }

    /// <summary>For a failed call: Athos's machine code, e.g. <c>SCORING_INCOMPLETE</c>.</summary>
    public string? FailureReason { get; init; }

    /// <summary>For a failed call: Athos's message for people.</summary>
    public string? FailureMessage { get; init; }

    /// <summary>For a failed call: when Athos reported the failure.</summary>
    public DateTimeOffset? FailedAt { get; init; }

    /// <summary>Athos's <c>updatedAt</c> of this version.</summary>
    public DateTimeOffset? AthosUpdatedAt { get; init; }

    /// <summary>When this version was written here.</summary>
    public DateTimeOffset? EnrichedAt { get; init; }

    /// <summary>Athos's request id of the fetch that produced this version.</summary>
    public string? AthosRequestId { get; init; }

    /// <summary><c>archived</c>, <c>none</c>, <c>pending</c> or <c>failed</c> (<see cref="Consumer.RecordingStatus"/>); null when recordings are not archived.</summary>
    public string? RecordingStatus { get; init; }

    /// <summary>Why the recording is <c>pending</c> or <c>failed</c>.</summary>
    public string? RecordingError { get; init; }

    /// <summary>Comma-separated columns shortened to fit Table Storage; the archive blob has them whole.</summary>
    public string? Truncated { get; init; }

    /// <summary>The schema the row was written under (<see cref="CallRow.CurrentSchemaVersion"/>).</summary>
    public int SchemaVersion { get; init; }

    /// <summary>The <c>RowKey</c> in <c>AthosCallChanges</c> of the change that reported this version (null if stored before the feed existed).</summary>
    public string? ChangeKey { get; init; }

    /// <summary>That change's kind: <c>created</c>, <c>rescored</c>, <c>scored_after_failure</c> or <c>failed</c>.</summary>
    public string? ChangeKind { get; init; }

    internal static AthosCall From(CallRow row) => new()
    {
        CallId = row.CallId,
        Status = row.Status,
        Source = row.Source,
        ExternalUserId = row.ExternalUserId,
        ExternalAgencyId = row.ExternalAgencyId,
        AgentId = row.AgentId,
        AgencyId = row.AgencyId,
        DrillKey = row.DrillKey,
        StartedAt = row.StartedAt,
        EndedAt = row.EndedAt,
        DurationSec = row.DurationSec,
        ScoredAt = row.ScoredAt,
        OverallScore = row.OverallScore,
        Summary = row.Summary,
        Feedback = row.Feedback,
        ComplianceTotalScore = row.ComplianceTotalScore,
        ScoreJson = row.ScoreJson,
        FailureReason = row.FailureReason,
        FailureMessage = row.FailureMessage,
        FailedAt = row.FailedAt,
        AthosUpdatedAt = row.AthosUpdatedAt,
        EnrichedAt = row.EnrichedAt,
        AthosRequestId = row.AthosRequestId,
        RecordingStatus = row.RecordingStatus,
        RecordingError = row.RecordingError,
        Truncated = row.Truncated,
        SchemaVersion = row.SchemaVersion,
        ChangeKey = row.ChangeKey,
        ChangeKind = row.ChangeKind,
    };
}
