using Athos.Webhooks.WorkItems;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>Reads <c>athos-calls</c> the way the Functions host does (base64 message encoding).</summary>
public sealed class TestQueues(string connectionString)
{
    private readonly QueueClient _calls = new(connectionString, StorageNames.CallsQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>Every message, visible or not (a deferred one is invisible for its delay).</summary>
    public async Task<int> CountAsync() => (await _calls.GetPropertiesAsync()).Value.ApproximateMessagesCount;

    /// <summary>Messages that can be received now.</summary>
    public async Task<int> CountVisibleAsync() => (await _calls.PeekMessagesAsync(32)).Value.Length;

    /// <summary>Every visible message, parsed, left on the queue (read by receiving all, then making them visible again).</summary>
    internal async Task<List<WorkItem>> PeekAllAsync()
    {
        var received = new List<QueueMessage>();
        while ((await _calls.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value is { Length: > 0 } batch)
        {
            received.AddRange(batch);
        }

        foreach (var message in received)
        {
            await _calls.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        }

        return [.. received.Select(m => WorkItemSerializer.Deserialize(m.Body))];
    }

    /// <summary>The call ids of every fetch item on the queue, left on the queue.</summary>
    public async Task<List<string>> PeekAllIdsAsync() =>
        [.. (await PeekAllAsync()).OfType<FetchCallWorkItem>().Select(f => f.CallId.Value)];

    /// <summary>Receives up to 32 messages (hidden for a minute), for a test to process and delete.</summary>
    public async Task<QueueMessage[]> ReceiveAsync(int max = 32) => (await _calls.ReceiveMessagesAsync(max, TimeSpan.FromMinutes(1))).Value;

    public Task DeleteAsync(QueueMessage message) => _calls.DeleteMessageAsync(message.MessageId, message.PopReceipt);
}
