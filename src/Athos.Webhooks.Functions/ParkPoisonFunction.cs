using Athos.Webhooks.Hosting;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;

namespace Athos.Webhooks.Functions;

/// <summary>
/// <c>athos-calls-poison</c>: what the host moved there (a last attempt that crashed or timed out; the processor parks
/// every other failure itself) is parked in <c>AthosParkedWork</c>, where it does not expire after seven days.
/// </summary>
public sealed class ParkPoisonFunction(IQueueMessageProcessor processor)
{
    [Function("ParkPoison")]
    public Task RunAsync(
        [QueueTrigger(StorageNames.PoisonQueue, Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken) =>
        processor.ParkPoisonAsync(message.Body, message.MessageId, message.DequeueCount, cancellationToken);
}
