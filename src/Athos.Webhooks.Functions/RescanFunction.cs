using Athos.Webhooks.Reconciliation;
using Microsoft.Azure.Functions.Worker;

namespace Athos.Webhooks.Functions;

/// <summary>
/// The daily trailing rescan on <c>ATHOS_RECONCILE_RESCAN_SCHEDULE</c>: starts a page chain on the queue over the last
/// <c>ATHOS_RECONCILE_RESCAN_WINDOW</c> (changes without a webhook, recordings still to copy). The invocation only
/// starts the chain, so it is quick whatever the window holds.
/// </summary>
public sealed class RescanFunction(Backfiller backfiller)
{
    [Function("Rescan")]
    public Task RunAsync(
        [TimerTrigger("%" + ReconcileOptions.RescanScheduleSetting + "%", RunOnStartup = false, UseMonitor = true)] TimerInfo timer,
        CancellationToken cancellationToken) =>
        backfiller.StartRescanAsync(cancellationToken);
}
