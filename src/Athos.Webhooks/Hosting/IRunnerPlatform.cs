using NCrontab;

namespace Athos.Webhooks.Hosting;

/// <summary>
/// What the Azure Functions platform does for the app in Azure and the local runner does itself: create the storage
/// (Bicep, in Azure), drive the queue trigger as host.json says, count the messages it moves to poison, and fire the
/// timers on their schedules (six-field CRON, as the Functions timer trigger reads it).
/// </summary>
public interface IRunnerPlatform
{
    /// <summary>Creates every queue, table and container that does not exist yet.</summary>
    Task CreateStorageAsync(CancellationToken cancellationToken);

    /// <summary>host.json <c>extensions.queues.batchSize</c>: messages taken per receive.</summary>
    int BatchSize { get; }

    /// <summary>host.json <c>extensions.queues.newBatchThreshold</c>: how few messages may be in flight before the next batch is taken.</summary>
    int NewBatchThreshold { get; }

    /// <summary>host.json <c>extensions.queues.maxPollingInterval</c>: the longest wait between polls of an empty queue.</summary>
    TimeSpan MaxPollingInterval { get; }

    /// <summary>host.json <c>extensions.queues.visibilityTimeout</c>: how long a failed message stays invisible before its next attempt.</summary>
    TimeSpan VisibilityTimeout { get; }

    /// <summary>host.json <c>extensions.queues.maxDequeueCount</c>: attempts per message before it goes to <c>athos-calls-poison</c>.</summary>
    int MaxDequeueCount { get; }

    /// <summary>host.json <c>functionTimeout</c>: how long one work item may run before it is cancelled and counts as failed.</summary>
    TimeSpan FunctionTimeout { get; }

    /// <summary>Counts a message the runner moved to <c>athos-calls-poison</c> (<c>athos.webhooks.poisoned</c>).</summary>
    void MessagePoisoned();

    /// <summary>The reconciler's schedule, <c>ATHOS_RECONCILE_SCHEDULE</c> (validated at start-up).</summary>
    CrontabSchedule ReconcileSchedule { get; }

    /// <summary>The trailing rescan's schedule, <c>ATHOS_RECONCILE_RESCAN_SCHEDULE</c> (validated at start-up).</summary>
    CrontabSchedule RescanSchedule { get; }

    /// <summary>The roster sync's schedule, <c>ATHOS_ROSTER_SCHEDULE</c> (validated at start-up).</summary>
    CrontabSchedule RosterSchedule { get; }
    /// <summary>The analytics export's schedule, <c>ATHOS_EXPORT_SCHEDULE</c> (validated at start-up).</summary>
    CrontabSchedule ExportSchedule { get; }

    /// <summary>Housekeeping's schedule, <see cref="IScheduledJobs.HousekeepingSchedule"/>.</summary>
    CrontabSchedule HousekeepingSchedule { get; }

    /// <summary>The poison sweep's schedule, every 30 seconds: the Functions app parks poison through a queue trigger instead.</summary>
    CrontabSchedule PoisonSweepSchedule { get; }
}
