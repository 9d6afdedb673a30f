using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Roster;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Hosting;

/// <summary>
/// The timers' entry to <see cref="Reconciler"/>, <see cref="Backfiller"/>, <see cref="Housekeeping"/>, <see cref="RosterSync"/>
/// and <see cref="PoisonSweeper"/>. The first two and the roster sync hold the Athos client and are made only for their own job.
/// </summary>
internal sealed class ScheduledJobs(Func<Reconciler> reconciler, Func<Backfiller> backfiller, Func<RosterSync> roster, Housekeeping housekeeping, PoisonSweeper sweeper) : IScheduledJobs
{
    public Task ReconcileAsync(CancellationToken cancellationToken) => reconciler().RunOnScheduleAsync(cancellationToken);

    public Task StartRescanAsync(DateTimeOffset occurrence, CancellationToken cancellationToken) => backfiller().StartRescanAsync(occurrence, cancellationToken);

    public Task SyncRosterAsync(CancellationToken cancellationToken) => roster().RunAsync(cancellationToken);

    public Task HousekeepAsync(CancellationToken cancellationToken) => housekeeping.RunAsync(cancellationToken);

    public Task<int> SweepPoisonAsync(CancellationToken cancellationToken) => sweeper.SweepAsync(cancellationToken);
}
