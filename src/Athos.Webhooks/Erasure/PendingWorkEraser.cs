using Athos.Webhooks.AthosApi;
using Athos.Webhooks.WorkItems;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Athos.Webhooks.Erasure;

/// <summary>
/// Removes the work still waiting for an erased call: its queued mark (<c>AthosState</c>), its parked items
/// (<c>AthosParkedWork</c>, whose bodies hold the work item) and its messages on <c>athos-calls</c> and
/// <c>athos-calls-poison</c>. A message of any kind that names the call (<see cref="WorkItemSerializer.CallIdOf"/>) is
/// the call's.
/// </summary>
/// <remarks>
/// A queue can only be read whole by receiving its messages, which hides them: each is hidden for at most
/// <see cref="ScanVisibility"/> and, unless it is the call's (deleted), given back as soon as the scan ends: as a fresh
/// copy on <c>athos-calls</c> (receiving it raised its dequeue count, as an attempt does, and enough erasures would send it
/// to the poison queue unprocessed), except a webhook's first item, whose claim names its message id, which is made
/// visible again with one attempt spent. A message hidden when the scan runs (a worker processing it, a
/// deferred or delayed item) cannot be seen: it meets the call's tombstone when it runs, and completes as erased.
/// </remarks>
internal sealed class PendingWorkEraser(QueueServiceClient queues, TableServiceClient tables, QueuedCalls queued)
{
    /// <summary>How long a scanned message is hidden at most (should <c>forget</c> die before it shows it again).</summary>
    internal static readonly TimeSpan ScanVisibility = TimeSpan.FromMinutes(2);

    private const int Batch = 32;

    private readonly TableClient _parked = tables.GetTableClient(StorageNames.ParkedWorkTable);

    public async Task EraseAsync(CallId callId, List<string> removed, List<string> remaining, CancellationToken cancellationToken)
    {
        if (await queued.ClearAsync(callId, cancellationToken))
        {
            removed.Add($"{StorageNames.StateTable}: queued mark {callId.Value}");
        }

        await foreach (var item in _parked.QueryAsync<ParkedItem>(i => i.PartitionKey == ParkedItem.Partition, cancellationToken: cancellationToken))
        {
            if (item.CallId == callId.Value || WorkItemSerializer.CallIdOf(ParkedBody(item)) == callId.Value)
            {
                await DeleteAsync(item, cancellationToken);
                removed.Add($"{StorageNames.ParkedWorkTable}: row {item.RowKey} ({item.Kind ?? "unreadable"}, {item.Reason})");
            }
        }

        foreach (var queue in StorageNames.Queues)
        {
            await EraseMessagesAsync(queues.GetQueueClient(queue), callId.Value, removed, remaining, cancellationToken);
        }
    }

    private async Task DeleteAsync(ParkedItem item, CancellationToken cancellationToken)
    {
        try
        {
            await _parked.DeleteEntityAsync(item.PartitionKey, item.RowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Redriven meanwhile: its message meets the tombstone.
        }
    }

    private static BinaryData ParkedBody(ParkedItem item)
    {
        try
        {
            return BinaryData.FromBytes(Convert.FromBase64String(item.Body));
        }
        catch (FormatException)
        {
            return BinaryData.Empty;
        }
    }

    private static async Task EraseMessagesAsync(QueueClient queue, string callId, List<string> removed, List<string> remaining, CancellationToken cancellationToken)
    {
        // By message id, with the latest receipt: a message the scan meets twice is given back once.
        var held = new Dictionary<string, QueueMessage>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            while ((await queue.ReceiveMessagesAsync(Batch, ScanVisibility, cancellationToken)).Value is { Length: > 0 } batch)
            {
                var wrapped = false;
                foreach (var message in batch)
                {
                    wrapped |= !seen.Add(message.MessageId);
                    if (WorkItemSerializer.CallIdOf(message.Body) == callId)
                    {
                        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                        removed.Add($"{queue.Name}: message {message.MessageId}");
                    }
                    else
                    {
                        held[message.MessageId] = message;
                    }
                }

                if (wrapped)
                {
                    // A message came round again: the scan outlasted its hiding, so later ones may not have been seen.
                    remaining.Add($"{queue.Name}: messages the scan did not reach within {ScanVisibility.TotalMinutes:0} minutes, any of the call's among them completing as erased when processed");
                    break;
                }
            }
        }
        finally
        {
            // Even when stopped (Ctrl-C): the others go back to the workers at once, not when their hiding ends.
            foreach (var message in held.Values)
            {
                try
                {
                    if (queue.Name == StorageNames.CallsQueue && !HeldById(message.Body))
                    {
                        await ReplaceAsync(queue, message, remaining);
                        continue;
                    }

                    await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
                }
                catch (RequestFailedException ex) when (ex.Status is 400 or 404)
                {
                    // Visible again already (and perhaps taken by a worker): nothing to give back.
                }
            }
        }
    }

    /// <summary>
    /// Whether a message must keep its id: a webhook's first item, whose delivery is claimed for its message id (a copy
    /// under another id would be taken for a duplicate), or a body this build cannot read.
    /// </summary>
    private static bool HeldById(BinaryData body)
    {
        try
        {
            return WorkItemSerializer.Deserialize(body) is { WebhookId: not null, Deferrals: 0 };
        }
        catch (InvalidWorkItemException)
        {
            return true;
        }
    }

    /// <summary>
    /// The scan spent one of the message's attempts (its dequeue count rose): a fresh copy takes its place, so that
    /// erasures cannot send waiting work to the poison queue unprocessed. Only while the scan still holds it (a worker
    /// may have taken it once its hiding ran out): then the copy is sent and the original deleted.
    /// </summary>
    private static async Task ReplaceAsync(QueueClient queue, QueueMessage message, List<string> remaining)
    {
        var held = await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: ScanVisibility, cancellationToken: CancellationToken.None);
        await queue.SendMessageAsync(message.Body, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken: CancellationToken.None);
        try
        {
            await queue.DeleteMessageAsync(message.MessageId, held.Value.PopReceipt, CancellationToken.None);
        }
        catch (RequestFailedException ex) when (ex.Status is 400 or 404)
        {
            remaining.Add($"{queue.Name}: message {message.MessageId} was given back as a copy but could not be deleted; its work may run twice (harmless: every item is idempotent)");
        }
    }
}
