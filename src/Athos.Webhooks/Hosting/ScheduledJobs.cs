using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Hosting;

/// <summary>The timers' entry to <see cref="Reconciler"/>, <see cref="Backfiller"/>, <see cref="Housekeeping"/> and <see cref="PoisonSweeper"/>.</summary>
internal sealed class ScheduledJobs(Reconciler reconciler, Backfiller backfiller, Housekeeping housekeeping, PoisonSweeper sweeper) : IScheduledJobs
{
    public Task ReconcileAsync(CancellationToken cancellationToken) => reconciler.RunOnScheduleAsync(cancellationToken);

    public Task StartRescanAsync(DateTimeOffset occurrence, CancellationToken cancellationToken) => backfiller.StartRescanAsync(occurrence, cancellationToken);

    public Task HousekeepAsync(CancellationToken cancellationToken) => housekeeping.RunAsync(cancellationToken);

    public Task<int> SweepPoisonAsync(CancellationToken cancellationToken) => sweeper.SweepAsync(cancellationToken);
}
