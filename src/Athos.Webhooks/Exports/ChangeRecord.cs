using Parquet.Serialization.Attributes;

namespace Athos.Webhooks.Exports;

/// <summary>
/// One row of <c>calls/changes/date=YYYY-MM-DD/</c>: a change of the change feed (<see cref="CallChange"/>), with exactly
/// its columns, named as <c>AthosCallChanges</c> names them. Times are Parquet <c>TIMESTAMP</c> (INT64 microseconds,
/// adjusted to UTC), not INT96, which readers treat as zone-less; <see cref="Checkpoint"/> (the row key, 100 ns ticks
/// and the call id) keeps the stamp exact and is unique per change. Written through <see cref="ExportColumns.Changes"/>;
/// the attributes here are what Parquet.Net's serializer reads a file back by (an erasure's rewrite, a compaction).
/// </summary>
internal sealed class ChangeRecord
{
    [ParquetRequired]
    public string CallId { get; set; } = string.Empty;

    [ParquetRequired]
    public string ChangeKind { get; set; } = string.Empty;

    [ParquetTimestamp(ParquetTimestampResolution.Microseconds, useLogicalTimestamp: true, isAdjustedToUTC: true)]
    public DateTime ChangedAt { get; set; }

    [ParquetRequired]
    public string Status { get; set; } = string.Empty;

    public double? OverallScore { get; set; }

    [ParquetTimestamp(ParquetTimestampResolution.Microseconds, useLogicalTimestamp: true, isAdjustedToUTC: true)]
    public DateTime? ScoredAt { get; set; }

    [ParquetTimestamp(ParquetTimestampResolution.Microseconds, useLogicalTimestamp: true, isAdjustedToUTC: true)]
    public DateTime? AthosUpdatedAt { get; set; }

    public string? ExternalUserId { get; set; }

    public string? AgentId { get; set; }

    [ParquetRequired]
    public string Checkpoint { get; set; } = string.Empty;

    public static ChangeRecord From(CallChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return new()
        {
            CallId = change.CallId,
            ChangeKind = change.KindName,
            ChangedAt = change.ChangedAt.UtcDateTime,
            Status = change.Status,
            OverallScore = change.OverallScore,
            ScoredAt = change.ScoredAt?.UtcDateTime,
            AthosUpdatedAt = change.AthosUpdatedAt?.UtcDateTime,
            ExternalUserId = change.ExternalUserId,
            AgentId = change.AgentId,
            Checkpoint = change.Checkpoint,
        };
    }
}
