using Athos.Webhooks.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace Athos.Webhooks.Functions;

/// <summary>
/// Housekeeping on its own timer beside the reconciler: hourly, purging delivery records and call changes past
/// retention once a day (<see cref="IScheduledJobs.HousekeepAsync"/>).
/// </summary>
public sealed class HousekeepingFunction(IScheduledJobs jobs)
{
    [Function("Housekeeping")]
    public Task RunAsync(
        [TimerTrigger(IScheduledJobs.HousekeepingSchedule, RunOnStartup = false, UseMonitor = true)] TimerInfo timer,
        CancellationToken cancellationToken) =>
        jobs.HousekeepAsync(cancellationToken);
}
