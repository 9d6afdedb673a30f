using Athos.Webhooks.Storage;
using Azure.Storage.Queues;

namespace Athos.Webhooks.WorkItems;

/// <summary>
/// Moves work items from <c>athos-calls-poison</c> back to <c>athos-calls</c> once their cause is fixed. A moved item
/// is marked <c>origin: redrive</c> (so that webhook deduplication does not skip it); a message that is not a work
/// item stays in the poison queue.
/// </summary>
public sealed class PoisonRedrive(QueueServiceClient queues, WorkQueue work)
{
    private readonly QueueClient _poison = queues.GetQueueClient(StorageNames.PoisonQueue);

    public async Task<RedriveResult> RunAsync(bool dryRun, CancellationToken cancellationToken = default)
    {
        if (dryRun)
        {
            var count = (await _poison.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
            return new RedriveResult(count, 0, 0);
        }

        int moved = 0, unreadable = 0;
        var kept = new List<(string Id, string Receipt)>();
        while ((await _poison.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5), cancellationToken)).Value is { Length: > 0 } batch)
        {
            foreach (var message in batch)
            {
                WorkItem item;
                try
                {
                    item = WorkItemSerializer.Deserialize(message.Body);
                }
                catch (InvalidWorkItemException)
                {
                    unreadable++;
                    kept.Add((message.MessageId, message.PopReceipt));
                    continue;
                }

                await work.EnqueueAsync(item with { Origin = WorkOrigin.Redrive }, cancellationToken);
                await _poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                moved++;
            }
        }

        // Unreadable messages become visible again in the poison queue, for a person to look at.
        foreach (var (id, receipt) in kept)
        {
            await _poison.UpdateMessageAsync(id, receipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: cancellationToken);
        }

        return new RedriveResult(moved + unreadable, moved, unreadable);
    }
}

/// <summary>How many poison messages there were, how many went back, how many stayed because they are not work items.</summary>
public sealed record RedriveResult(int Found, int Moved, int Unreadable);
