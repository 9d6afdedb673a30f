using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Consumer;

/// <summary>
/// A call as consumers read it: the row of <c>AthosCalls</c> (keyed by call id) and, with other keys and without
/// <see cref="ScoreJson"/>, of <c>AthosCallsByUser</c> and <c>AthosCallsByDay</c>. docs/schema.md is its contract.
/// </summary>
public sealed class CallRow : ITableEntity
{
    /// <summary>2 since the current Athos contract (Athos's own ids, compliance, recordings); rows written under 1 stay readable.</summary>
    public const int CurrentSchemaVersion = 2;

    /// <summary>The call id in <c>AthosCalls</c>; the rep or the UTC day in an index table.</summary>
    public string PartitionKey { get; set; } = string.Empty;

    /// <summary>Empty in <c>AthosCalls</c>; newest first in an index table (<see cref="TableKeys.NewestFirstRowKey"/>).</summary>
    public string RowKey { get; set; } = string.Empty;

    /// <summary>When the service last wrote the row.</summary>
    public DateTimeOffset? Timestamp { get; set; }

    /// <summary>The row's version, for a conditional write.</summary>
    public ETag ETag { get; set; }

    /// <summary>Athos's public call id, <c>athos_call_…</c>.</summary>
    public string CallId { get; set; } = string.Empty;

    /// <summary><c>scored</c> or <c>failed</c>; <c>erased</c> for a tombstone (<see cref="CallStatus"/>).</summary>
    public string Status { get; set; } = CallStatus.Scored;

    /// <summary><c>roleplay</c> or <c>real_call</c>.</summary>
    public string? Source { get; set; }

    /// <summary>The customer's own id for the rep (<c>platformAgentId</c>, or the early contract's <c>externalUserId</c>).</summary>
    public string? ExternalUserId { get; set; }

    /// <summary>The customer's own id for the agency (<c>platformAgencyId</c>, or the early contract's <c>externalAgencyId</c>).</summary>
    public string? ExternalAgencyId { get; set; }

    /// <summary>Athos's id for the rep (<c>athos_agent_…</c>; current contract only).</summary>
    public string? AgentId { get; set; }

    /// <summary>Athos's id for the agency (<c>athos_agency_…</c>; current contract only).</summary>
    public string? AgencyId { get; set; }

    /// <summary>The practised drill; null for real calls.</summary>
    public string? DrillKey { get; set; }

    /// <summary>When the call started.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When the call ended.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>The call's length in seconds.</summary>
    public int? DurationSec { get; set; }

    /// <summary>When Athos scored this version.</summary>
    public DateTimeOffset? ScoredAt { get; set; }

    /// <summary>0–100; null when Athos sent none (never 0 for "no headline score").</summary>
    public double? OverallScore { get; set; }

    /// <summary>Athos's summary of the call.</summary>
    public string? Summary { get; set; }

    /// <summary>Athos's feedback to the rep.</summary>
    public string? Feedback { get; set; }

    /// <summary><c>score.complianceScorecard.totalScore</c>; null when not assessed (never 0 for that).</summary>
    public double? ComplianceTotalScore { get; set; }

    /// <summary>The score object exactly as Athos sent it (main table only).</summary>
    public string? ScoreJson { get; set; }

    /// <summary>For a failed call: Athos's machine code, e.g. <c>SCORING_INCOMPLETE</c>.</summary>
    public string? FailureReason { get; set; }

    /// <summary>For a failed call: Athos's message for people.</summary>
    public string? FailureMessage { get; set; }

    /// <summary>When Athos reported the scoring failure (the webhook's <c>occurredAt</c>).</summary>
    public DateTimeOffset? FailedAt { get; set; }

    /// <summary>Athos's <c>updatedAt</c> of this version.</summary>
    public DateTimeOffset? AthosUpdatedAt { get; set; }

    /// <summary>When this version was written here.</summary>
    public DateTimeOffset? EnrichedAt { get; set; }

    /// <summary>Where the recording's copy stands (<see cref="Consumer.RecordingStatus"/>; main table only, null when not archiving).</summary>
    public string? RecordingStatus { get; set; }

    /// <summary>Why the recording is <c>pending</c> or <c>failed</c> (main table only).</summary>
    public string? RecordingError { get; set; }

    /// <summary>The <c>X-Athos-Request-Id</c> of the detail fetch that produced this version.</summary>
    public string? AthosRequestId { get; set; }

    /// <summary>Columns shortened to fit Table Storage's limits, comma-separated; the blob has them whole.</summary>
    public string? Truncated { get; set; }

    /// <summary>The schema the row was written under (<see cref="CurrentSchemaVersion"/>).</summary>
    public int SchemaVersion { get; set; } = CurrentSchemaVersion;

    /// <summary>
    /// The <c>RowKey</c> in <c>AthosCallChanges</c> of the change that reports this version (main table only; null for a
    /// version stored before the change feed existed). Written in the same commit as the version.
    /// </summary>
    public string? ChangeKey { get; set; }

    /// <summary>That change's <c>ChangeKind</c>: <c>created</c>, <c>rescored</c>, <c>scored_after_failure</c> or <c>failed</c>; <c>erased</c> on a tombstone (main table only).</summary>
    public string? ChangeKind { get; set; }

    /// <summary>When <c>forget</c> erased the call: set on a tombstone only (<see cref="CallStatus.Erased"/>).</summary>
    public DateTimeOffset? ErasedAt { get; set; }
}

/// <summary>Values of <see cref="CallRow.RecordingStatus"/>.</summary>
public static class RecordingStatus
{
    /// <summary>The recording is in <c>athos-recordings/{callId}.ogg</c>.</summary>
    public const string Archived = "archived";

    /// <summary>Athos has no recording for this call (or no longer has one).</summary>
    public const string None = "none";

    /// <summary>Not copied yet (a transient failure); the daily rescan tries again while Athos keeps it.</summary>
    public const string Pending = "pending";

    /// <summary>Refused for good as it stands (over the size limit, say); <c>RecordingError</c> says why. The rescan tries again.</summary>
    public const string Failed = "failed";
}

/// <summary>Values of <see cref="CallRow.Status"/>.</summary>
public static class CallStatus
{
    /// <summary>Athos scored the call.</summary>
    public const string Scored = "scored";
    /// <summary>Athos reported that scoring failed.</summary>
    public const string Failed = "failed";

    /// <summary>
    /// A tombstone: the call was erased (<c>forget</c>) and is not stored again while it stands. It holds no call data;
    /// whoever reads <c>AthosCalls</c> directly skips it (<c>Status ne 'erased'</c>).
    /// </summary>
    public const string Erased = "erased";
}
