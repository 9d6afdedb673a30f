using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Enrichment;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Webhooks;
using Microsoft.Extensions.Logging;

namespace Athos.Webhooks.WorkItems;

/// <summary>
/// Processes one message of <c>athos-calls</c>: what the queue function and the local runner's worker call.
/// It returns when the message may be deleted and throws when it must be retried (and, after the host's
/// <c>maxDequeueCount</c>, moved to <c>athos-calls-poison</c>): nothing is dropped silently.
/// </summary>
public sealed partial class WorkItemProcessor(CallEnricher enricher, Backfiller backfiller, DeliveryLedger ledger, ILogger<WorkItemProcessor> logger)
{
    public async Task<WorkOutcome> ProcessAsync(BinaryData body, string messageId, long dequeueCount, CancellationToken cancellationToken = default)
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

        return item switch
        {
            BackfillPageWorkItem page => await ProcessPageAsync(page, dequeueCount, cancellationToken),
            FetchCallWorkItem fetch => await ProcessCallAsync(item, fetch.CallId, true, messageId, dequeueCount, cancellationToken),
            ScoringFailedWorkItem failed => await ProcessCallAsync(item, failed.CallId, false, messageId, dequeueCount, cancellationToken),
            _ => throw new InvalidWorkItemException($"Work item kind {item.GetType().Name} has no handler."),
        };
    }

    private async Task<WorkOutcome> ProcessPageAsync(BackfillPageWorkItem page, long dequeueCount, CancellationToken cancellationToken)
    {
        try
        {
            return await backfiller.ProcessPageAsync(page, cancellationToken);
        }
        catch (AthosApiException ex)
        {
            Log.BackfillPageFailed(logger, ex, page.JobId, page.Page, ex.Kind, ex.Status, ex.ErrorCode, ex.RequestId, dequeueCount);
            throw;
        }
    }

    private async Task<WorkOutcome> ProcessCallAsync(WorkItem item, CallId callId, bool success, string messageId, long dequeueCount, CancellationToken cancellationToken)
    {
        // Only webhook items are deduplicated by delivery id; redriven ones run regardless.
        if (item is { Origin: WorkOrigin.Webhook, WebhookId: { } webhookId }
            && await ledger.ClaimAsync(webhookId, callId.Value, success, item.ReceivedAt, messageId, cancellationToken) == DeliveryClaim.AlreadyHandled)
        {
            Log.Processed(logger, callId.Value, item.Origin, WorkOutcome.Duplicate, item.WebhookId, dequeueCount);
            return WorkOutcome.Duplicate;
        }

        WorkOutcome outcome;
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

        if (outcome == WorkOutcome.NotFound)
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
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            // Best effort: the failure is logged and the message retried either way.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Call {CallId} ({Origin}): {Outcome} (webhook {WebhookId}, attempt {DequeueCount})")]
        public static partial void Processed(ILogger logger, string callId, WorkOrigin origin, WorkOutcome outcome, string? webhookId, long dequeueCount);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Call {CallId} ({Origin}) is unknown to Athos (CALL_NOT_FOUND); nothing stored (webhook {WebhookId})")]
        public static partial void NotFound(ILogger logger, string callId, WorkOrigin origin, string? webhookId);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Call {CallId}: Athos failed transiently ({Status} {ErrorCode}, Athos request {AthosRequestId}); the message will be retried (attempt {DequeueCount})")]
        public static partial void AthosTransient(ILogger logger, Exception exception, string callId, int? status, string? errorCode, string? athosRequestId, long dequeueCount);

        [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "Call {CallId}: Athos refused the request ({Kind}: {Status} {ErrorCode}, Athos request {AthosRequestId}); the message is kept and retried, then moved to the poison queue (webhook {WebhookId}, attempt {DequeueCount})")]
        public static partial void AthosRefused(ILogger logger, Exception exception, string callId, AthosErrorKind kind, int? status, string? errorCode, string? athosRequestId, string? webhookId, long dequeueCount);

        [LoggerMessage(EventId = 3006, Level = LogLevel.Error, Message = "Backfill {JobId} page {Page}: Athos failed ({Kind}: {Status} {ErrorCode}, Athos request {AthosRequestId}); the page will be retried (attempt {DequeueCount})")]
        public static partial void BackfillPageFailed(ILogger logger, Exception exception, string jobId, int page, AthosErrorKind kind, int? status, string? errorCode, string? athosRequestId, long dequeueCount);

        [LoggerMessage(EventId = 3005, Level = LogLevel.Error, Message = "Queue message {MessageId} is not a valid work item; it will end in the poison queue (attempt {DequeueCount})")]
        public static partial void Malformed(ILogger logger, Exception exception, string messageId, long dequeueCount);
    }
}
