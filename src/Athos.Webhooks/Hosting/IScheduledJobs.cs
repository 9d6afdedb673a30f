using Athos.Webhooks.Reconciliation;

namespace Athos.Webhooks.Hosting;

/// <summary>
/// The jobs each host runs on a timer: the Functions app's timer triggers, the local runner's schedulers
/// (<see cref="IRunnerPlatform"/> gives the runner their schedules).
/// </summary>
public interface IScheduledJobs
{
    /// <summary>Six-field CRON of the housekeeping timer in both hosts: hourly, at minute 45 (away from the rescan's 03:30).</summary>
    const string HousekeepingSchedule = Housekeeping.Schedule;

    /// <summary>
    /// Reconciles each call source on <c>ATHOS_RECONCILE_SCHEDULE</c>. A failed run is recorded, then thrown as a
    /// <see cref="ReconcileFailedException"/>, so that the invocation shows as failed.
    /// </summary>
    Task ReconcileAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Starts the trailing rescan for the schedule occurrence <paramref name="occurrence"/> (<c>ATHOS_RECONCILE_RESCAN_SCHEDULE</c>):
    /// a page chain on the queue, at most one per occurrence.
    /// </summary>
    Task StartRescanAsync(DateTimeOffset occurrence, CancellationToken cancellationToken);

    /// <summary>
    /// Mirrors Athos's roster into <c>AthosAgents</c> on <c>ATHOS_ROSTER_SCHEDULE</c>, one instance at a time; skipped on
    /// an early-contract tenant, and a failure recorded for <c>status</c> rather than thrown (the next run tries again).
    /// </summary>
    Task SyncRosterAsync(CancellationToken cancellationToken);

    /// <summary>Purges what is past retention, once a day (the timer fires hourly: <see cref="HousekeepingSchedule"/>).</summary>
    Task HousekeepAsync(CancellationToken cancellationToken);

    /// <summary>
    /// One run of the analytics export on <c>ATHOS_EXPORT_SCHEDULE</c> (one instance at a time: a run that finds another
    /// holding the lease is skipped). A failed run is logged and recorded for <c>status</c>, not thrown: the next run
    /// carries on from the stored checkpoint.
    /// </summary>
    Task ExportAsync(CancellationToken cancellationToken);

    /// <summary>Parks every message now in <c>athos-calls-poison</c> (the runner's stand-in for the Functions app's poison trigger); returns how many.</summary>
    Task<int> SweepPoisonAsync(CancellationToken cancellationToken);
}
