using Athos.Webhooks.Exports;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Roster;
using Athos.Webhooks.Settings;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.WorkItems;
using NCrontab;

namespace Athos.Webhooks.Hosting;

/// <summary>The runner's stand-in for the Functions platform, over the settings both hosts read.</summary>
internal sealed class RunnerPlatform(StorageInitializer storage, QueueOptions queues, IOptions<ReconcileOptions> reconcile, IOptions<RosterOptions> roster, IOptions<ExportOptions> export, AthosMetrics metrics) : IRunnerPlatform
{
    private static readonly CrontabSchedule Housekeeping = TimerSchedule.Parse(IScheduledJobs.HousekeepingSchedule);
    private static readonly CrontabSchedule PoisonSweep = TimerSchedule.Parse("*/30 * * * * *");

    public Task CreateStorageAsync(CancellationToken cancellationToken) => storage.EnsureCreatedAsync(cancellationToken);

    // The same QueueOptions the processor reads (to know which attempt is the last).
    public int BatchSize => queues.BatchSize;

    public int NewBatchThreshold => queues.NewBatchThreshold;

    public TimeSpan MaxPollingInterval => queues.MaxPollingInterval;

    public TimeSpan VisibilityTimeout => queues.VisibilityTimeout;

    public int MaxDequeueCount => queues.MaxDequeueCount;

    public TimeSpan FunctionTimeout => queues.FunctionTimeout;

    public void MessagePoisoned() => metrics.MessagePoisoned();

    public CrontabSchedule ReconcileSchedule => reconcile.Value.ParseSchedule();

    public CrontabSchedule RescanSchedule => reconcile.Value.ParseRescanSchedule();

    public CrontabSchedule RosterSchedule => roster.Value.ParseSchedule();
    public CrontabSchedule ExportSchedule => export.Value.ParseSchedule();

    public CrontabSchedule HousekeepingSchedule => Housekeeping;

    public CrontabSchedule PoisonSweepSchedule => PoisonSweep;
}
