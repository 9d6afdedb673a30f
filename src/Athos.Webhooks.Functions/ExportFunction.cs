using Athos.Webhooks.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace Athos.Webhooks.Functions;

/// <summary>
/// The analytics export on <c>ATHOS_EXPORT_SCHEDULE</c> (six-field CRON, every 15 minutes by default): the change feed
/// appended to <c>athos-exports</c> (<see cref="IScheduledJobs.ExportAsync"/>). One instance at a time, by a lease
/// shared with the local runner and <c>athos-webhooks export</c>.
/// </summary>
public sealed class ExportFunction(IScheduledJobs jobs)
{
    [Function("Export")]
    public Task RunAsync(
        [TimerTrigger("%" + IAthosSettings.ExportSchedule + "%", RunOnStartup = false, UseMonitor = true)] TimerInfo timer,
        CancellationToken cancellationToken) =>
        jobs.ExportAsync(cancellationToken);
}
