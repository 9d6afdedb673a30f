using System.Runtime.Serialization;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// A backfill's (or a rescan's) progress in <c>AthosState</c> (<c>PartitionKey</c> = <c>backfill</c>, <c>RowKey</c> =
/// job id). It is also the chain's guard: a page counts once, however often its message is delivered.
/// </summary>
internal sealed class BackfillJob() : TableRow(Partition)
{
    internal const string Partition = "backfill";

    [IgnoreDataMember]
    public string JobId => RowKey;

    /// <summary><c>backfill</c> (started by a person) or <c>rescan</c> (the trailing rescan, on its schedule).</summary>
    public string Kind { get; set; } = BackfillKind.Backfill;

    public DateTimeOffset From { get; set; }

    public DateTimeOffset To { get; set; }

    /// <summary>The sources to list, comma-separated, in order; absent on jobs from before sources existed (roleplay).</summary>
    public string? Sources { get; set; }

    /// <summary>The source page <see cref="PagesDone"/> + 1 lists.</summary>
    public string? Source { get; set; }

    /// <summary>The contract the listed rows showed (<c>early</c>, <c>current</c>), once a row was listed.</summary>
    public string? Contract { get; set; }

    /// <summary>Sources not listed, each with the reason (a real call source on an early-contract tenant).</summary>
    public string? SkippedSources { get; set; }

    /// <summary><c>running</c>, <c>completed</c>, or <c>failed</c> (Athos's cursor looped; <see cref="LastError"/> says so).</summary>
    public string Status { get; set; } = BackfillStatus.Running;

    public int PagesDone { get; set; }

    public int Listed { get; set; }

    public int Missing { get; set; }

    public int Stale { get; set; }

    /// <summary>Calls queued again because their recording is not copied yet (rescans).</summary>
    public int Recordings { get; set; }

    public int Queued { get; set; }

    /// <summary>Missing or stale calls already on the queue: not queued again.</summary>
    public int Pending { get; set; }

    /// <summary>Listed ids that are not valid call ids: skipped, logged with Athos's request id.</summary>
    public int SkippedIds { get; set; }

    /// <summary>The cursors this source's chain has used, so that one Athos returns again stops the chain (<see cref="AthosApi.PagingGuard"/>).</summary>
    public string? PagingGuard { get; set; }

    /// <summary>The cursor of page <see cref="PagesDone"/> + 1 within <see cref="Source"/> (null for its first page).</summary>
    public string? NextCursor { get; set; }

    /// <summary>Whether that next page's work item is on the queue (so a redelivered page knows not to queue it again).</summary>
    public bool NextPageQueued { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public string? LastError { get; set; }

    /// <summary>The sources in order (roleplay alone for a job from before sources existed).</summary>
    public IReadOnlyList<string> SourceList() =>
        Sources is null ? [CallSources.Roleplay] : ReconcileOptions.SplitSources(Sources).ToList();
}

internal static class BackfillStatus
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

internal static class BackfillKind
{
    public const string Backfill = "backfill";
    public const string Rescan = "rescan";
}
