using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// One reconcile run in the run log (<see cref="ReconcileRunLog"/>), as stored in <c>AthosState</c>:
/// <c>PartitionKey</c> = <c>reconcile-runs-</c> + the UTC day it started (<c>yyyyMMdd</c>), <c>RowKey</c> = its start
/// (<c>yyyyMMddTHHmmssfffffff</c>) + <c>-</c> + a run id. <see cref="EndedAt"/> and <see cref="Status"/> are null while
/// it runs, and stay null for a run whose host died or lost storage before it ended.
/// </summary>
internal sealed class ReconcileRunRow : TableRow
{
    /// <summary>When the run took the reconcile lock.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>When the run ended, before it let go of the lock.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>The host that ran it: machine name and process id.</summary>
    public string InstanceId { get; set; } = string.Empty;

    /// <summary>The run's <see cref="ReconcileOutcome"/>, by its stored name.</summary>
    public string? Status { get; set; }

    /// <summary>The call sources the run listed, comma-separated.</summary>
    public string? Sources { get; set; }
}
