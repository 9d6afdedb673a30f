using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Exports;

/// <summary>
/// The changes export's row in <c>AthosState</c> (<c>PartitionKey</c> = <c>export</c>, <c>RowKey</c> = <c>changes</c>):
/// how far the feed is exported, and the batch being written. docs/schema.md, "AthosState: the export's rows", documents it.
/// </summary>
/// <remarks>
/// A batch is recorded here (<see cref="PendingFrom"/>, <see cref="PendingTo"/>, <see cref="PendingFiles"/>) before any
/// of its files is written, and <see cref="Checkpoint"/> moves to <see cref="PendingTo"/> only after all of them are
/// committed. A run that finds a batch pending redoes exactly that batch: the same changes, into the same file names.
/// </remarks>
internal sealed class ChangesExportStateRow() : TableRow(Partition, Row)
{
    public const string Partition = "export";
    public const string Row = "changes";

    /// <summary>The feed's checkpoint up to which every change is in a committed file; absent before the first batch.</summary>
    public string? Checkpoint { get; set; }

    /// <summary>The stamp of <see cref="Checkpoint"/>: every change stamped before it is exported.</summary>
    public DateTimeOffset? ExportedThrough { get; set; }

    /// <summary>The pending batch's start: its checkpoint, or empty for the start of the feed; absent when none is pending.</summary>
    public string? PendingFrom { get; set; }

    /// <summary>The pending batch's end (inclusive): the checkpoint the feed returned after its last change.</summary>
    public string? PendingTo { get; set; }

    /// <summary>The pending batch's file names, one per line.</summary>
    public string? PendingFiles { get; set; }

    /// <summary>
    /// A rebuild of <c>calls/current</c>, <c>scores</c> and <c>agents</c> is owed: an erasure passed (a call's
    /// <c>erased</c> change, saved with the checkpoint that moves past it; <c>forget --agent</c>). Cleared only after a
    /// rebuild succeeds, so a failed one is tried again by the next run.
    /// </summary>
    public bool RebuildOwed { get; set; }

    /// <summary>When the last run ended.</summary>
    public DateTimeOffset? LastRunAt { get; set; }

    /// <summary>Why the last run failed; absent when it did not.</summary>
    public string? LastRunError { get; set; }

    /// <summary>Changes exported, all told.</summary>
    public long Exported { get; set; }
}
