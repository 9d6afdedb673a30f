using Athos.Webhooks.Storage;
using Athos.Webhooks.WorkItems;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Athos.Webhooks.Tests.Infrastructure;

/// <summary>Reads <c>athos-calls</c> the way the Functions host does (base64 message encoding).</summary>
public sealed class TestQueues(string connectionString)
{
    private readonly QueueClient _calls = new(connectionString, StorageNames.CallsQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    public async Task<int> CountAsync() => (await _calls.GetPropertiesAsync()).Value.ApproximateMessagesCount;

    /// <summary>Every visible message, parsed, left on the queue.</summary>
    public async Task<IReadOnlyList<WorkItem>> PeekAllAsync() =>
        [.. (await _calls.PeekMessagesAsync(32)).Value.Select(m => WorkItemSerializer.Deserialize(m.Body))];

    /// <summary>Receives up to 32 messages (hidden for a minute), for a test to process and delete.</summary>
    public async Task<QueueMessage[]> ReceiveAsync(int max = 32) => (await _calls.ReceiveMessagesAsync(max, TimeSpan.FromMinutes(1))).Value;

    public Task DeleteAsync(QueueMessage message) => _calls.DeleteMessageAsync(message.MessageId, message.PopReceipt);
}
