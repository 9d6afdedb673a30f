using Athos.Webhooks.Exports;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Roster;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Hosting;

/// <summary>
/// The timers' entry to <see cref="Reconciler"/>, <see cref="Backfiller"/>, <see cref="Housekeeping"/>, <see cref="RosterSync"/>,
/// <see cref="ExportRun"/> and <see cref="PoisonSweeper"/>. Those that hold the Athos client (the first two and the roster
/// sync) or the export's writers are made only for their own job.
/// </summary>
internal sealed class ScheduledJobs(Func<Reconciler> reconciler, Func<Backfiller> backfiller, Func<RosterSync> roster, Housekeeping housekeeping, PoisonSweeper sweeper, Func<ExportRun> export) : IScheduledJobs
{
    public Task ReconcileAsync(CancellationToken cancellationToken) => reconciler().RunOnScheduleAsync(cancellationToken);

    public Task StartRescanAsync(DateTimeOffset occurrence, CancellationToken cancellationToken) => backfiller().StartRescanAsync(occurrence, cancellationToken);

    public Task SyncRosterAsync(CancellationToken cancellationToken) => roster().RunAsync(cancellationToken);

    public Task HousekeepAsync(CancellationToken cancellationToken) => housekeeping.RunAsync(cancellationToken);

    public Task ExportAsync(CancellationToken cancellationToken) => export().RunAsync(new ExportRequest(), cancellationToken);

    public Task<int> SweepPoisonAsync(CancellationToken cancellationToken) => sweeper.SweepAsync(cancellationToken);
}
