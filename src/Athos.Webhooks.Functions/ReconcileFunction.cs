using Athos.Webhooks.Reconciliation;
using Microsoft.Azure.Functions.Worker;

namespace Athos.Webhooks.Functions;

/// <summary>
/// The reconciler on <c>ATHOS_RECONCILE_SCHEDULE</c> (six-field CRON). A failed run is thrown so that the invocation
/// shows as failed; the watermark has not moved and the next run covers the window again.
/// </summary>
public sealed class ReconcileFunction(Reconciler reconciler)
{
    [Function("Reconcile")]
    public async Task RunAsync(
        [TimerTrigger("%" + ReconcileOptions.ScheduleSetting + "%", RunOnStartup = false, UseMonitor = true)] TimerInfo timer,
        CancellationToken cancellationToken)
    {
        var run = await reconciler.RunAsync(cancellationToken);
        if (run.Status == ReconcileOutcome.Failed)
        {
            throw new ReconcileFailedException(run.Error);
        }
    }
}

/// <summary>A reconcile run failed; its summary is in <c>AthosState</c> and the logs.</summary>
public sealed class ReconcileFailedException : Exception
{
    public ReconcileFailedException()
    {
    }

    public ReconcileFailedException(string? message)
        : base(message)
    {
    }

    public ReconcileFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
