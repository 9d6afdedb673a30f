using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Changes;

/// <summary>
/// One row of <c>AthosCallChanges</c>: a version of a call that won its <c>AthosCalls</c> commit, a call's erasure, or a
/// void row that holds a stamp whose change moved to a later one (docs/schema.md is its contract).
/// </summary>
internal sealed class ChangeRow : TableRow
{
    public string CallId { get; set; } = string.Empty;

    /// <summary>One of <see cref="ChangeKinds"/>.</summary>
    public string ChangeKind { get; set; } = string.Empty;

    /// <summary>The write stamp (the row key's), as a time people can read.</summary>
    public DateTimeOffset ChangedAt { get; set; }

    public string? Status { get; set; }

    public double? OverallScore { get; set; }

    public DateTimeOffset? ScoredAt { get; set; }

    public DateTimeOffset? AthosUpdatedAt { get; set; }

    public string? ExternalUserId { get; set; }

    public string? AgentId { get; set; }

    public bool IsVoid => ChangeKind == ChangeKinds.Void;
}

/// <summary>Values of <c>ChangeKind</c> in <c>AthosCallChanges</c> (and of the <c>AthosCalls</c> column of that name).</summary>
internal static class ChangeKinds
{
    public const string Created = "created";
    public const string Rescored = "rescored";
    public const string ScoredAfterFailure = "scored_after_failure";
    public const string Failed = "failed";

    /// <summary>The recording of the version stored before was archived (after the version's own change).</summary>
    public const string RecordingArchived = "recording_archived";

    /// <summary>The call was erased (<c>forget</c>): a reader deletes its copy. The row carries the call id only.</summary>
    public const string Erased = "erased";

    /// <summary>Not a change: the stamp of a change that could not be written in time, which moved to a later stamp.</summary>
    public const string Void = "void";
}
