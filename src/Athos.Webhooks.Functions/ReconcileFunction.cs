using Athos.Webhooks.Hosting;
using Athos.Webhooks.Reconciliation;
using Microsoft.Azure.Functions.Worker;

namespace Athos.Webhooks.Functions;

/// <summary>
/// The reconciler on <c>ATHOS_RECONCILE_SCHEDULE</c> (six-field CRON). A failed run is thrown
/// (<see cref="ReconcileFailedException"/>, the core's policy) so that the invocation shows as failed; the watermark has
/// not moved and the next run covers the window again.
/// </summary>
public sealed class ReconcileFunction(IScheduledJobs jobs)
{
    [Function("Reconcile")]
    public Task RunAsync(
        [TimerTrigger("%" + IAthosSettings.ReconcileSchedule + "%", RunOnStartup = false, UseMonitor = true)] TimerInfo timer,
        CancellationToken cancellationToken) =>
        jobs.ReconcileAsync(cancellationToken);
}
