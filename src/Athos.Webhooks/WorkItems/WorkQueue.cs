using Athos.Webhooks.Storage;
using Azure.Storage.Queues;

namespace Athos.Webhooks.WorkItems;

/// <summary>Puts work items on <c>athos-calls</c>.</summary>
public sealed class WorkQueue(QueueServiceClient queues)
{
    // The queue's default time-to-live is seven days; a work item must outlive any outage, so it never expires.
    private static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    private readonly QueueClient _queue = queues.GetQueueClient(StorageNames.CallsQueue);

    /// <summary>Returns once the message is durably stored; throws <see cref="Azure.RequestFailedException"/> otherwise.</summary>
    public async Task EnqueueAsync(WorkItem item, CancellationToken cancellationToken = default) =>
        await _queue.SendMessageAsync(WorkItemSerializer.Serialize(item), timeToLive: NeverExpires, cancellationToken: cancellationToken);
}
