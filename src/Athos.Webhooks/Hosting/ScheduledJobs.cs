using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Hosting;

/// <summary>
/// The timers' entry to <see cref="Reconciler"/>, <see cref="Backfiller"/>, <see cref="Housekeeping"/> and
/// <see cref="PoisonSweeper"/>. The first two hold the Athos client and are made only for their own job.
/// </summary>
internal sealed class ScheduledJobs(Func<Reconciler> reconciler, Func<Backfiller> backfiller, Housekeeping housekeeping, PoisonSweeper sweeper) : IScheduledJobs
{
    public Task ReconcileAsync(CancellationToken cancellationToken) => reconciler().RunOnScheduleAsync(cancellationToken);

    public Task StartRescanAsync(DateTimeOffset occurrence, CancellationToken cancellationToken) => backfiller().StartRescanAsync(occurrence, cancellationToken);

    public Task HousekeepAsync(CancellationToken cancellationToken) => housekeeping.RunAsync(cancellationToken);

    public Task<int> SweepPoisonAsync(CancellationToken cancellationToken) => sweeper.SweepAsync(cancellationToken);
}
