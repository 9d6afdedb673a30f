using Athos.Webhooks.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace Athos.Webhooks.Functions;

/// <summary>
/// The roster sync on <c>ATHOS_ROSTER_SCHEDULE</c> (six-field CRON, hourly by default): mirrors Athos's roster into
/// <c>AthosAgents</c>, one instance at a time (<see cref="IScheduledJobs.SyncRosterAsync"/>).
/// </summary>
public sealed class RosterFunction(IScheduledJobs jobs)
{
    [Function("RosterSync")]
    public Task RunAsync(
        [TimerTrigger("%" + IAthosSettings.RosterSchedule + "%", RunOnStartup = false, UseMonitor = true)] TimerInfo timer,
        CancellationToken cancellationToken) =>
        jobs.SyncRosterAsync(cancellationToken);
}
