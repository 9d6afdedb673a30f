using Athos.Webhooks.Hosting;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;

namespace Athos.Webhooks.Functions;

/// <summary>
/// <c>athos-calls</c>: one work item per message. Returning completes the message; throwing leaves it to the host's
/// retries (host.json: visibility timeout, <c>maxDequeueCount</c>) and then to <c>athos-calls-poison</c>.
/// </summary>
public sealed class CallWorkFunction(IQueueMessageProcessor processor)
{
    [Function("ProcessCallWork")]
    public Task RunAsync(
        [QueueTrigger(StorageNames.CallsQueue, Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken) =>
        processor.ProcessAsync(message.Body, message.MessageId, message.DequeueCount, cancellationToken);
}
