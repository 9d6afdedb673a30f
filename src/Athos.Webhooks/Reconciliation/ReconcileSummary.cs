using Athos.Webhooks.AthosApi;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// What <c>AthosState</c> says about the reconciler (row <c>reconcile</c>/<c>state</c>): when a run last succeeded (a
/// partial run counts: it is progress), and the last run's summary, per source. What health checks and
/// <c>athos-webhooks status</c> read; <see langword="null"/> fields were never written (no run yet).
/// </summary>
internal sealed record ReconcileSummary
{
    public static ReconcileSummary None { get; } = new();

    public DateTimeOffset? LastSuccessAt { get; init; }

    /// <summary>The contract Athos was last seen speaking; <see langword="null"/> until it has shown one.</summary>
    public AthosContract? Contract { get; init; }

    /// <summary>The last run as it was recorded; <see langword="null"/> before the first.</summary>
    public ReconcileRun? LastRun { get; init; }
}
