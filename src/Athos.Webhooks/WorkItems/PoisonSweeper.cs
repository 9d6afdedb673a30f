using Azure.Storage.Queues;

namespace Athos.Webhooks.WorkItems;

/// <summary>
/// Moves whatever reaches <c>athos-calls-poison</c> into <c>AthosParkedWork</c>. The processor parks items itself on
/// their last attempt; the poison queue only receives what the Functions host moves there when that attempt crashed
/// or timed out, and its messages would expire after seven days (the host's poison time-to-live cannot be set).
/// The Functions app sweeps through a queue trigger, the local runner on a short schedule.
/// </summary>
internal sealed class PoisonSweeper
{
    private readonly ParkedWork _parked;
    private readonly TimeProvider _time;

    public PoisonSweeper(QueueServiceClient queues, ParkedWork parked, TimeProvider time)
    {
        _parked = parked;
        _time = time;
        _poison = queues.GetQueueClient(StorageNames.PoisonQueue);
    }

    private readonly QueueClient _poison;

    /// <summary>Parks one poison message (idempotent per message id).</summary>
    public async Task ParkAsync(BinaryData body, string messageId, long dequeueCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        WorkItem? item = null;
        try
        {
            item = WorkItemSerializer.Deserialize(body);
        }
        catch (InvalidWorkItemException)
        {
            // Parked all the same, as what it is.
        }

        var error = $"The host moved the message to {StorageNames.PoisonQueue} at {_time.GetUtcNow():o} (its last attempt crashed or timed out).";
        await _parked.ParkAsync(body, item, messageId, dequeueCount, item is null ? ParkReason.InvalidWorkItem : ParkReason.MovedToPoison, error, null, cancellationToken);
    }

    /// <summary>How many messages wait in the poison queue (approximate, as the queue service counts).</summary>
    internal async Task<int> CountAsync(CancellationToken cancellationToken = default) =>
        (await _poison.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;

    /// <summary>Parks every message now in the poison queue; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var swept = 0;
        while ((await _poison.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1), cancellationToken)).Value is { Length: > 0 } batch)
        {
            foreach (var message in batch)
            {
                await ParkAsync(message.Body, message.MessageId, message.DequeueCount, cancellationToken);
                await _poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                swept++;
            }
        }

        return swept;
    }
}
