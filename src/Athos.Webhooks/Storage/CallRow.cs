using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Storage;

/// <summary>
/// A call as consumers read it: the row of <c>AthosCalls</c> (keyed by call id) and, with other keys and without
/// <see cref="ScoreJson"/>, of <c>AthosCallsByUser</c> and <c>AthosCallsByDay</c>. docs/schema.md is its contract.
/// </summary>
public sealed class CallRow : ITableEntity
{
    public const int CurrentSchemaVersion = 1;

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string CallId { get; set; } = string.Empty;

    /// <summary><c>scored</c> or <c>failed</c> (<see cref="CallStatus"/>).</summary>
    public string Status { get; set; } = CallStatus.Scored;

    public string? Source { get; set; }

    public string? ExternalUserId { get; set; }

    public string? ExternalAgencyId { get; set; }

    public string? DrillKey { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    public int? DurationSec { get; set; }

    public DateTimeOffset? ScoredAt { get; set; }

    public double? OverallScore { get; set; }

    public string? Summary { get; set; }

    public string? Feedback { get; set; }

    /// <summary>The score object exactly as Athos sent it (main table only).</summary>
    public string? ScoreJson { get; set; }

    public string? FailureReason { get; set; }

    public string? FailureMessage { get; set; }

    /// <summary>When Athos reported the scoring failure (the webhook's <c>occurredAt</c>).</summary>
    public DateTimeOffset? FailedAt { get; set; }

    public DateTimeOffset? AthosUpdatedAt { get; set; }

    public DateTimeOffset? EnrichedAt { get; set; }

    /// <summary>The <c>X-Athos-Request-Id</c> of the detail fetch that produced this version.</summary>
    public string? AthosRequestId { get; set; }

    /// <summary>Columns shortened to fit Table Storage's limits, comma-separated; the blob has them whole.</summary>
    public string? Truncated { get; set; }

    public int SchemaVersion { get; set; } = CurrentSchemaVersion;

    /// <summary>The time that orders the call in the index tables: <c>EndedAt</c>, or for a failure <c>FailedAt</c>.</summary>
    internal DateTimeOffset? IndexTime => EndedAt ?? FailedAt;

    internal CallRow CloneWithKeys(string partitionKey, string rowKey, bool withScoreJson) => new()
    {
        PartitionKey = partitionKey,
        RowKey = rowKey,
        CallId = CallId,
        Status = Status,
        Source = Source,
        ExternalUserId = ExternalUserId,
        ExternalAgencyId = ExternalAgencyId,
        DrillKey = DrillKey,
        StartedAt = StartedAt,
        EndedAt = EndedAt,
        DurationSec = DurationSec,
        ScoredAt = ScoredAt,
        OverallScore = OverallScore,
        Summary = Summary,
        Feedback = Feedback,
        ScoreJson = withScoreJson ? ScoreJson : null,
        FailureReason = FailureReason,
        FailureMessage = FailureMessage,
        FailedAt = FailedAt,
        AthosUpdatedAt = AthosUpdatedAt,
        EnrichedAt = EnrichedAt,
        AthosRequestId = AthosRequestId,
        Truncated = Truncated,
        SchemaVersion = SchemaVersion,
    };
}

/// <summary>Values of <see cref="CallRow.Status"/>.</summary>
public static class CallStatus
{
    public const string Scored = "scored";
    public const string Failed = "failed";
}
