using Athos.Webhooks.Processing;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>Processes <c>athos-calls</c> until it is empty, as the queue trigger would (a failed message stays).</summary>
internal static class QueueDrainer
{
    public static async Task<List<WorkOutcome>> DrainAsync(TestApp app, TestQueues queues, int parallelism = 16)
    {
        var processor = app.Get<WorkItemProcessor>();
        var outcomes = new List<WorkOutcome>();
        while ((await queues.ReceiveAsync()) is { Length: > 0 } batch)
        {
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (message, ct) =>
            {
                var outcome = await processor.ProcessAsync(message.Body, message.MessageId, message.DequeueCount, ct);
                await queues.DeleteAsync(message);
                lock (outcomes)
                {
                    outcomes.Add(outcome);
                }
            });
        }

        return outcomes;
    }
}
