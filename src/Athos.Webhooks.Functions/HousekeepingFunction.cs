using Athos.Webhooks.Reconciliation;
using Microsoft.Azure.Functions.Worker;

namespace Athos.Webhooks.Functions;

/// <summary>
/// Housekeeping on its own timer beside the reconciler: hourly, purging delivery records and call changes past
/// retention once a day (<see cref="Housekeeping"/>).
/// </summary>
public sealed class HousekeepingFunction(Housekeeping housekeeping)
{
    [Function("Housekeeping")]
    public Task RunAsync(
        [TimerTrigger(Housekeeping.Schedule, RunOnStartup = false, UseMonitor = true)] TimerInfo timer,
        CancellationToken cancellationToken) =>
        housekeeping.RunAsync(cancellationToken);
}
