using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// The rescan's row in <c>AthosState</c> (<c>PartitionKey</c> = <c>rescan</c>, <c>RowKey</c> = <c>state</c>): the latest
/// rescan started, which the next occurrence waits for, and the occurrences skipped while one ran. Only ever written
/// against its ETag, so that hosts firing at once decide one after the other (<see cref="RescanGate"/>).
/// </summary>
internal sealed class RescanStateRow() : TableRow(Partition, Row)
{
    public const string Partition = "rescan";
    public const string Row = "state";

    /// <summary>The latest rescan started: <c>rs_</c> and its occurrence (<see cref="Backfiller.RescanJobId"/>).</summary>
    public string? JobId { get; set; }

    /// <summary>Occurrences skipped because a rescan was still running, all told.</summary>
    public int Skipped { get; set; }

    /// <summary>The occurrence skipped last.</summary>
    public DateTimeOffset? LastSkippedAt { get; set; }
}
