using Athos.Webhooks.AthosApi;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// What <c>AthosState</c> says about the reconciler (row <c>reconcile</c>/<c>state</c>): when a run last succeeded (a
/// partial run counts: it is progress), and the last run's summary, per source. What health checks and
/// <c>athos-webhooks status</c> read; <see langword="null"/> fields were never written (no run yet).
/// </summary>
public sealed record ReconcileSummary
{
    public static ReconcileSummary None { get; } = new();

    public DateTimeOffset? LastSuccessAt { get; init; }

    public ReconcileOutcome? LastRunStatus { get; init; }

    public DateTimeOffset? LastRunStartedAt { get; init; }

    public DateTimeOffset? LastRunEndedAt { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public int Pages { get; init; }

    public int Listed { get; init; }

    public int Missing { get; init; }

    public int Stale { get; init; }

    public int Queued { get; init; }

    public int Pending { get; init; }

    public int SkippedIds { get; init; }

    public int AthosRequests { get; init; }

    public string? Error { get; init; }

    /// <summary>The contract Athos was last seen speaking; <see langword="null"/> until it has shown one.</summary>
    public AthosContract? Contract { get; init; }

    public IReadOnlyList<SourceRun> Sources { get; init; } = [];
}
