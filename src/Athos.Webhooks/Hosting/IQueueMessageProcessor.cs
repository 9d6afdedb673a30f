namespace Athos.Webhooks.Hosting;

/// <summary>
/// What the queue triggers do with a message, in either host: the Functions app's triggers on <c>athos-calls</c> and
/// <c>athos-calls-poison</c>, and the local runner's queue worker and poison sweep.
/// </summary>
public interface IQueueMessageProcessor
{
    /// <summary>
    /// Processes one work item from <c>athos-calls</c>. Returning completes the message; throwing leaves it to the
    /// host's retries (host.json) and then to <c>athos-calls-poison</c>. On its last attempt the item is parked instead.
    /// </summary>
    Task ProcessAsync(BinaryData body, string messageId, long dequeueCount, CancellationToken cancellationToken);

    /// <summary>Parks one message the host moved to <c>athos-calls-poison</c> (idempotent per message id).</summary>
    Task ParkPoisonAsync(BinaryData body, string messageId, long dequeueCount, CancellationToken cancellationToken);
}
