using Azure.Storage.Queues;

namespace Athos.Webhooks.WorkItems;

/// <summary>Puts work items on <c>athos-calls</c>.</summary>
internal sealed class WorkQueue(QueueServiceClient queues)
{
    // The queue's default time-to-live is seven days; a work item must outlive any outage, so it never expires.
    private static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    private readonly QueueClient _queue = queues.GetQueueClient(StorageNames.CallsQueue);

    /// <summary>The longest a message can stay invisible (the queue service's limit).</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7);

    /// <summary>
    /// An item is re-queued while Athos is unavailable for at most this long after it arrived; then it is parked
    /// (the processor's rule, which the rescan's stall check relies on).
    /// </summary>
    internal static readonly TimeSpan MaxDeferral = TimeSpan.FromDays(1);

    /// <summary>Returns once the message is durably stored; throws <see cref="Azure.RequestFailedException"/> otherwise.</summary>
    public async Task EnqueueAsync(WorkItem item, CancellationToken cancellationToken = default) =>
        await _queue.SendMessageAsync(WorkItemSerializer.Serialize(item), timeToLive: NeverExpires, cancellationToken: cancellationToken);

    /// <summary>Queues an item that stays invisible for <paramref name="delay"/> first (at most <see cref="MaxDelay"/>).</summary>
    public async Task EnqueueAsync(WorkItem item, TimeSpan delay, CancellationToken cancellationToken) =>
        await _queue.SendMessageAsync(WorkItemSerializer.Serialize(item), visibilityTimeout: delay, timeToLive: NeverExpires, cancellationToken: cancellationToken);
}
