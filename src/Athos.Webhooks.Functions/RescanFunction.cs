using Athos.Webhooks.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace Athos.Webhooks.Functions;

/// <summary>
/// The trailing rescan on <c>ATHOS_RECONCILE_RESCAN_SCHEDULE</c>: starts the one rescan job of the occurrence the timer
/// fired for (a page chain on the queue over the last <c>ATHOS_RECONCILE_RESCAN_WINDOW</c>: changes without a webhook,
/// recordings still to copy), or skips it while the previous rescan still runs (<c>Backfiller.StartRescanAsync</c>). The
/// invocation only starts the chain, so it is quick whatever the window holds.
/// </summary>
public sealed class RescanFunction(IScheduledJobs jobs, TimeProvider time)
{
    [Function("Rescan")]
    public Task RunAsync(
        [TimerTrigger("%" + IAthosSettings.RescanSchedule + "%", RunOnStartup = false, UseMonitor = true)] TimerInfo timer,
        CancellationToken cancellationToken) =>
        jobs.StartRescanAsync(Occurrence(timer, time), cancellationToken);

    /// <summary>
    /// The occurrence this invocation is for: the schedule status's <c>Next</c> as the host passes it in (the monitor
    /// updates it only after the invocation; for a past-due invocation it is the occurrence missed), in UTC. Without a
    /// status (no monitor), the time of the invocation.
    /// </summary>
    internal static DateTimeOffset Occurrence(TimerInfo timer, TimeProvider time) =>
        timer.ScheduleStatus is { Next: var next } && next != default
            ? new DateTimeOffset(next.ToUniversalTime(), TimeSpan.Zero)
            : time.GetUtcNow();
}
