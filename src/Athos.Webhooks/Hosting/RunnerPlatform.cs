using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.WorkItems;
using NCrontab;

namespace Athos.Webhooks.Hosting;

/// <summary>The runner's stand-in for the Functions platform, over the settings both hosts read.</summary>
internal sealed class RunnerPlatform(StorageInitializer storage, IOptions<QueueOptions> queues, IOptions<ReconcileOptions> reconcile, AthosMetrics metrics) : IRunnerPlatform
{
    private static readonly CrontabSchedule Housekeeping = TimerSchedule.Parse(IScheduledJobs.HousekeepingSchedule);
    private static readonly CrontabSchedule PoisonSweep = TimerSchedule.Parse("*/30 * * * * *");

    public Task CreateStorageAsync(CancellationToken cancellationToken) => storage.EnsureCreatedAsync(cancellationToken);

    // Read when asked, as the settings are: a bad host.json fails start-up's validation, not this class's construction.
    public int BatchSize => queues.Value.BatchSize;

    public int NewBatchThreshold => queues.Value.NewBatchThreshold;

    public TimeSpan MaxPollingInterval => queues.Value.MaxPollingInterval;

    public TimeSpan VisibilityTimeout => queues.Value.VisibilityTimeout;

    public int MaxDequeueCount => queues.Value.MaxDequeueCount;

    public TimeSpan FunctionTimeout => queues.Value.FunctionTimeout;

    public void MessagePoisoned() => metrics.MessagePoisoned();

    public CrontabSchedule ReconcileSchedule => reconcile.Value.ParseSchedule();

    public CrontabSchedule RescanSchedule => reconcile.Value.ParseRescanSchedule();

    public CrontabSchedule HousekeepingSchedule => Housekeeping;

    public CrontabSchedule PoisonSweepSchedule => PoisonSweep;
}
