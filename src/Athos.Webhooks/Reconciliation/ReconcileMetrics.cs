using Athos.Webhooks.Telemetry;

namespace Athos.Webhooks.Reconciliation;

/// <summary>How a reconcile run is tagged on the meter.</summary>
internal static class ReconcileMetrics
{
    /// <summary>A reconcile run ended (or was skipped because another run held the lock).</summary>
    public static void ReconcileEnded(this AthosMetrics metrics, ReconcileRun run)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(run);
        metrics.ReconcileEnded(AthosMetrics.StatusName(run.Status), run.EndedAt - run.StartedAt);
        foreach (var source in run.Sources)
        {
            metrics.ReconcileSourceEnded(source.Source, AthosMetrics.StatusName(source.Status));
            metrics.ReconcileCallsCounted(source.Source, "listed", source.Listed);
            metrics.ReconcileCallsCounted(source.Source, "missing", source.Missing);
            metrics.ReconcileCallsCounted(source.Source, "stale", source.Stale);
            metrics.ReconcileCallsCounted(source.Source, "queued", source.Queued);
            metrics.ReconcileCallsCounted(source.Source, "pending", source.Pending);
            metrics.ReconcileCallsCounted(source.Source, "skipped_id", source.SkippedIds);
        }
    }
}
