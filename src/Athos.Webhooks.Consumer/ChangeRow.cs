using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Consumer;

/// <summary>
/// One row of <c>AthosCallChanges</c>: a version of a call that won its <c>AthosCalls</c> commit, a call's erasure, or a
/// void row that holds a stamp whose change moved to a later one (docs/schema.md is its contract).
/// </summary>
internal sealed class ChangeRow : ITableEntity
{
    /// <summary>The UTC hour of the write stamp, <c>yyyy-MM-ddTHH</c> (<see cref="ChangeKeys.PartitionKey"/>).</summary>
    public string PartitionKey { get; set; } = string.Empty;

    /// <summary>The write stamp's ticks (19 digits), <c>_</c>, the call id (<see cref="ChangeKeys.RowKey"/>): a checkpoint.</summary>
    public string RowKey { get; set; } = string.Empty;

    /// <inheritdoc/>
    public DateTimeOffset? Timestamp { get; set; }

    /// <inheritdoc/>
    public ETag ETag { get; set; }

    /// <summary>The call, <c>athos_call_…</c>.</summary>
    public string CallId { get; set; } = string.Empty;

    /// <summary>One of <see cref="ChangeKinds"/>.</summary>
    public string ChangeKind { get; set; } = string.Empty;

    /// <summary>The write stamp (the row key's), as a time people can read.</summary>
    public DateTimeOffset ChangedAt { get; set; }

    /// <summary>The version's <c>Status</c>: <c>scored</c> or <c>failed</c>; null for an erasure or a void row.</summary>
    public string? Status { get; set; }

    /// <summary>The version's score (null for a failure, or when Athos sent none).</summary>
    public double? OverallScore { get; set; }

    /// <summary>When Athos scored the version.</summary>
    public DateTimeOffset? ScoredAt { get; set; }

    /// <summary>Athos's <c>updatedAt</c> of the version.</summary>
    public DateTimeOffset? AthosUpdatedAt { get; set; }

    /// <summary>The customer's own id for the rep, if any.</summary>
    public string? ExternalUserId { get; set; }

    /// <summary>Athos's id for the rep (current contract).</summary>
    public string? AgentId { get; set; }

    /// <summary>Whether the row is <see cref="ChangeKinds.Void"/>: a stamp held for a change that moved on, to be skipped.</summary>
    public bool IsVoid => ChangeKind == ChangeKinds.Void;
}

/// <summary>Values of <c>ChangeKind</c> in <c>AthosCallChanges</c> (and of the <c>AthosCalls</c> column of that name).</summary>
internal static class ChangeKinds
{
    /// <summary>The call's first stored version, a score (<see cref="CallChangeKind.Created"/>).</summary>
    public const string Created = "created";

    /// <summary>A newer version of a scored call (<see cref="CallChangeKind.Rescored"/>).</summary>
    public const string Rescored = "rescored";

    /// <summary>A score replaced a recorded scoring failure (<see cref="CallChangeKind.ScoredAfterFailure"/>).</summary>
    public const string ScoredAfterFailure = "scored_after_failure";

    /// <summary>Athos reported that scoring failed (<see cref="CallChangeKind.Failed"/>).</summary>
    public const string Failed = "failed";

    /// <summary>The recording of the version stored before was archived (after the version's own change).</summary>
    public const string RecordingArchived = "recording_archived";

    /// <summary>The call was erased (<c>forget</c>): a reader deletes its copy. The row carries the call id only.</summary>
    public const string Erased = "erased";

    /// <summary>Not a change: the stamp of a change that could not be written in time, which moved to a later stamp.</summary>
    public const string Void = "void";
}
