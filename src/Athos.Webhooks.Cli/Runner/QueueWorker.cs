using System.Collections.Concurrent;
using Athos.Webhooks.Hosting;
using Athos.Webhooks.Storage;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Athos.Webhooks.Cli.Runner;

/// <summary>
/// The local runner's stand-in for the Functions queue trigger on <c>athos-calls</c>: batches, polling back-off,
/// retries spaced by the visibility timeout, and <c>athos-calls-poison</c> after <c>maxDequeueCount</c> attempts,
/// all from host.json. On shutdown it stops taking messages, lets those in flight finish for a while, and makes the
/// rest visible again: nothing is lost.
/// </summary>
internal sealed partial class QueueWorker(
    QueueServiceClient queues,
    IServiceScopeFactory scopes,
    QueueWorkerSettings settings,
    TimeProvider time,
    ILogger<QueueWorker> logger) : BackgroundService
{
    private static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(20);

    private readonly QueueClient _calls = queues.GetQueueClient(StorageNames.CallsQueue);
    private readonly QueueClient _poison = queues.GetQueueClient(StorageNames.PoisonQueue);
    private readonly ConcurrentDictionary<string, Task> _inFlight = new();
    private readonly CancellationTokenSource _abandon = new();

    /// <summary>Messages being processed now.</summary>
    public int InFlight => _inFlight.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = MinPollingInterval;
        Log.Started(logger, settings.Queue.BatchSize, settings.Queue.NewBatchThreshold, settings.Queue.VisibilityTimeout, settings.Queue.MaxDequeueCount);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_inFlight.Count > settings.Queue.NewBatchThreshold)
                {
                    await Task.WhenAny(_inFlight.Values).WaitAsync(stoppingToken);
                    continue;
                }

                var batch = (await _calls.ReceiveMessagesAsync(settings.Queue.BatchSize, settings.MessageLease, stoppingToken)).Value;
                if (batch.Length == 0)
                {
                    await Task.Delay(idle, time, stoppingToken);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, settings.Queue.MaxPollingInterval.Ticks));
                    continue;
                }

                idle = MinPollingInterval;
                foreach (var message in batch)
                {
                    var task = ProcessAsync(message);
                    _inFlight[message.MessageId] = task;
                    _ = task.ContinueWith(_ => _inFlight.TryRemove(message.MessageId, out Task? _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Storage down, or anything else: the loop carries on (the host stops only when asked).
                Log.StorageUnavailable(logger, ex);
                await Task.Delay(settings.Queue.MaxPollingInterval, time, CancellationToken.None);
            }
        }

        await DrainAsync();
    }

    public override void Dispose()
    {
        _abandon.Dispose();
        base.Dispose();
    }

    private async Task DrainAsync()
    {
        var pending = _inFlight.Values.ToArray();
        if (pending.Length == 0)
        {
            return;
        }

        Log.Draining(logger, pending.Length, ShutdownGrace);
        if (await Task.WhenAll(pending).WaitAsync(ShutdownGrace, time).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default) is false)
        {
            // Whatever has not finished is cancelled and made visible again for the next run.
            await _abandon.CancelAsync();
            await Task.WhenAll(_inFlight.Values.ToArray()).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task ProcessAsync(QueueMessage message)
    {
        var receipt = message.PopReceipt;
        if (message.DequeueCount > settings.Queue.MaxDequeueCount)
        {
            await MoveToPoisonAsync(message, receipt, "it was received more often than maxDequeueCount");
            return;
        }

        using var lease = CancellationTokenSource.CreateLinkedTokenSource(_abandon.Token);
        var renewal = RenewAsync(message, r => receipt = r, lease.Token);

        // host.json's functionTimeout, as the Functions host enforces it: the invocation is cancelled and counts as failed.
        using var timeout = new CancellationTokenSource(settings.Queue.FunctionTimeout, time);
        using var invocation = CancellationTokenSource.CreateLinkedTokenSource(_abandon.Token, timeout.Token);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IQueueMessageProcessor>().ProcessAsync(message.Body, message.MessageId, message.DequeueCount, invocation.Token);
            await lease.CancelAsync();
            await renewal;
            await _calls.DeleteMessageAsync(message.MessageId, receipt, CancellationToken.None);
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            await lease.CancelAsync();
            await renewal;
            await TryMakeVisibleAsync(message.MessageId, receipt, TimeSpan.Zero);
        }
        catch (Exception ex)
        {
            await lease.CancelAsync();
            await renewal;
            if (timeout.IsCancellationRequested)
            {
                Log.TimedOut(logger, message.MessageId, message.DequeueCount, settings.Queue.FunctionTimeout);
            }

            if (message.DequeueCount >= settings.Queue.MaxDequeueCount)
            {
                // The processor parks what fails on its last attempt; this is what it could not park (storage down):
                // into the poison queue as the Functions host does, whence the sweep parks it.
                await MoveToPoisonAsync(message, receipt, ex.Message);
            }
            else
            {
                Log.WillRetry(logger, message.MessageId, message.DequeueCount, settings.Queue.MaxDequeueCount, settings.Queue.VisibilityTimeout, ex.Message);
                await TryMakeVisibleAsync(message.MessageId, receipt, settings.Queue.VisibilityTimeout);
            }
        }
    }

    // Keeps the message hidden while it is processed, as the Functions host does.
    private async Task RenewAsync(QueueMessage message, Action<string> setReceipt, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(settings.MessageLease / 2, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var updated = await _calls.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.MessageLease, cancellationToken: cancellationToken);
                message = message.Update(updated.Value);
                setReceipt(updated.Value.PopReceipt);
            }
        }
        catch (OperationCanceledException)
        {
            // Processing ended.
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            Log.LeaseLost(logger, ex, message.MessageId);
        }
    }

    private async Task MoveToPoisonAsync(QueueMessage message, string receipt, string reason)
    {
        try
        {
            await _poison.SendMessageAsync(message.Body, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken: CancellationToken.None);
            await _calls.DeleteMessageAsync(message.MessageId, receipt, CancellationToken.None);
            Log.Poisoned(logger, message.MessageId, message.DequeueCount, reason);
            settings.Queue.MessagePoisoned();
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            // Storage is down: the message reappears when its lease runs out, and is moved then.
            Log.LeaseLost(logger, ex, message.MessageId);
        }
    }

    private async Task TryMakeVisibleAsync(string messageId, string receipt, TimeSpan after)
    {
        try
        {
            await _calls.UpdateMessageAsync(messageId, receipt, visibilityTimeout: after, cancellationToken: CancellationToken.None);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            // Its lease runs out by itself.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Queue worker on athos-calls: batch {BatchSize}, new batch at {NewBatchThreshold}, retry after {VisibilityTimeout}, poison after {MaxDequeueCount} attempts")]
        public static partial void Started(ILogger logger, int batchSize, int newBatchThreshold, TimeSpan visibilityTimeout, int maxDequeueCount);

        [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Message {MessageId} failed (attempt {DequeueCount} of {MaxDequeueCount}); retried in {VisibilityTimeout}: {Error}")]
        public static partial void WillRetry(ILogger logger, string messageId, long dequeueCount, int maxDequeueCount, TimeSpan visibilityTimeout, string error);

        [LoggerMessage(EventId = 5003, Level = LogLevel.Error, Message = "Message {MessageId} moved to athos-calls-poison after {DequeueCount} attempts: {Reason}")]
        public static partial void Poisoned(ILogger logger, string messageId, long dequeueCount, string reason);

        [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Receiving from athos-calls failed (storage unavailable?); polling again shortly")]
        public static partial void StorageUnavailable(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "Stopping: waiting up to {Grace} for {Count} messages in flight")]
        public static partial void Draining(ILogger logger, int count, TimeSpan grace);

        [LoggerMessage(EventId = 5007, Level = LogLevel.Error, Message = "Message {MessageId} ran longer than host.json's functionTimeout ({FunctionTimeout}) and was cancelled (attempt {DequeueCount}), as the Functions host does")]
        public static partial void TimedOut(ILogger logger, string messageId, long dequeueCount, TimeSpan functionTimeout);

        [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "Lost the lease of message {MessageId} while processing it; it may be processed twice (harmless)")]
        public static partial void LeaseLost(ILogger logger, Exception exception, string messageId);
    }
}
