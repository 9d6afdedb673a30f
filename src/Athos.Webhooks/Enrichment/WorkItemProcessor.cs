using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Webhooks;
using Athos.Webhooks.WorkItems;
using Microsoft.Extensions.Logging;

namespace Athos.Webhooks.Enrichment;

/// <summary>
/// Processes one message of <c>athos-calls</c>: what the queue function and the local runner's worker call.
/// It returns when the message may be deleted and throws when it must be retried (and, after the host's
/// <c>maxDequeueCount</c>, moved to <c>athos-calls-poison</c>): nothing is dropped silently.
/// </summary>
public sealed partial class WorkItemProcessor(CallEnricher enricher, DeliveryLedger ledger, ILogger<WorkItemProcessor> logger)
{
    public async Task<EnrichmentOutcome> ProcessAsync(BinaryData body, string messageId, long dequeueCount, CancellationToken cancellationToken = default)
    {
        WorkItem item;
        try
        {
            item = WorkItemSerializer.Deserialize(body);
        }
        catch (InvalidWorkItemException ex)
        {
            Log.Malformed(logger, ex, messageId, dequeueCount);
            throw;
        }

        var (callId, success) = item switch
        {
            FetchCallWorkItem fetch => (fetch.CallId, true),
            ScoringFailedWorkItem failed => (failed.CallId, false),
            _ => throw new InvalidWorkItemException($"Work item kind {item.GetType().Name} is not handled by the call worker."),
        };

        // Only webhook items are deduplicated by delivery id; redriven ones run regardless.
        if (item is { Origin: WorkOrigin.Webhook, WebhookId: { } webhookId }
            && await ledger.ClaimAsync(webhookId, callId.Value, success, item.ReceivedAt, messageId, cancellationToken) == DeliveryClaim.AlreadyHandled)
        {
            Log.Processed(logger, callId.Value, item.Origin, EnrichmentOutcome.Duplicate, item.WebhookId, dequeueCount);
            return EnrichmentOutcome.Duplicate;
        }

        EnrichmentOutcome outcome;
        try
        {
            outcome = item switch
            {
                FetchCallWorkItem fetch => await enricher.FetchAndStoreAsync(fetch.CallId, cancellationToken),
                _ => await enricher.RecordFailureAsync((ScoringFailedWorkItem)item, cancellationToken),
            };
        }
        catch (AthosApiException ex)
        {
            LogAthosFailure(ex, callId.Value, item, dequeueCount);
            await NoteFailureAsync(item.WebhookId, ex.Message, cancellationToken);
            throw;
        }

        if (item.WebhookId is { } id)
        {
            await ledger.CompleteAsync(id, outcome.ToStorageName(), cancellationToken);
        }

        if (outcome == EnrichmentOutcome.NotFound)
        {
            Log.NotFound(logger, callId.Value, item.Origin, item.WebhookId);
        }
        else
        {
            Log.Processed(logger, callId.Value, item.Origin, outcome, item.WebhookId, dequeueCount);
        }

        return outcome;
    }

    private void LogAthosFailure(AthosApiException ex, string callId, WorkItem item, long dequeueCount)
    {
        if (ex.Kind == AthosErrorKind.Transient)
        {
            Log.AthosTransient(logger, ex, callId, ex.Status, ex.ErrorCode, ex.RequestId, dequeueCount);
        }
        else
        {
            // Configuration or our own bug: the message is kept (retried, then poison) and someone must act.
            Log.AthosRefused(logger, ex, callId, ex.Kind, ex.Status, ex.ErrorCode, ex.RequestId, item.WebhookId, dequeueCount);
        }
    }

    private async Task NoteFailureAsync(string? webhookId, string error, CancellationToken cancellationToken)
    {
        if (webhookId is null)
        {
            return;
        }

        try
        {
            await ledger.RecordFailureAsync(webhookId, error, cancellationToken);
        }
        catch (Azure.RequestFailedException)
        {
            // Best effort: the failure is logged and the message retried either way.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Call {CallId} ({Origin}): {Outcome} (webhook {WebhookId}, attempt {DequeueCount})")]
        public static partial void Processed(ILogger logger, string callId, WorkOrigin origin, EnrichmentOutcome outcome, string? webhookId, long dequeueCount);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Call {CallId} ({Origin}) is unknown to Athos (CALL_NOT_FOUND); nothing stored (webhook {WebhookId})")]
        public static partial void NotFound(ILogger logger, string callId, WorkOrigin origin, string? webhookId);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Call {CallId}: Athos failed transiently ({Status} {ErrorCode}, Athos request {AthosRequestId}); the message will be retried (attempt {DequeueCount})")]
        public static partial void AthosTransient(ILogger logger, Exception exception, string callId, int? status, string? errorCode, string? athosRequestId, long dequeueCount);

        [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "Call {CallId}: Athos refused the request ({Kind}: {Status} {ErrorCode}, Athos request {AthosRequestId}); the message is kept and retried, then moved to the poison queue (webhook {WebhookId}, attempt {DequeueCount})")]
        public static partial void AthosRefused(ILogger logger, Exception exception, string callId, AthosErrorKind kind, int? status, string? errorCode, string? athosRequestId, string? webhookId, long dequeueCount);

        [LoggerMessage(EventId = 3005, Level = LogLevel.Error, Message = "Queue message {MessageId} is not a valid work item; it will end in the poison queue (attempt {DequeueCount})")]
        public static partial void Malformed(ILogger logger, Exception exception, string messageId, long dequeueCount);
    }
}
