using Athos.Webhooks.Processing;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Hosting;

/// <summary>
/// The queue triggers' entry: <see cref="WorkItemProcessor"/> for work items (made per message: it holds the Athos
/// client, which parking a poison message needs not), <see cref="PoisonSweeper"/> for poison.
/// </summary>
internal sealed class QueueMessageProcessor(Func<WorkItemProcessor> processor, PoisonSweeper sweeper) : IQueueMessageProcessor
{
    public Task ProcessAsync(BinaryData body, string messageId, long dequeueCount, CancellationToken cancellationToken) =>
        processor().ProcessAsync(body, messageId, dequeueCount, cancellationToken);

    public Task ParkPoisonAsync(BinaryData body, string messageId, long dequeueCount, CancellationToken cancellationToken) =>
        sweeper.ParkAsync(body, messageId, dequeueCount, cancellationToken);
}
