using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Enrichment;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Roster;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Webhooks;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Processing;

/// <summary>
/// Processes one message of <c>athos-calls</c>: what the queue function and the local runner's worker call, alike.
/// It returns when the message may be deleted, and throws when it should be tried again after host.json's
/// <c>visibilityTimeout</c>. Nothing is dropped: on the last allowed attempt (<c>maxDequeueCount</c>) an item that
/// still fails is re-queued with a delay while Athos is merely unavailable (for up to a day), else parked durably in
/// <c>AthosParkedWork</c> with its reason; a long <c>Retry-After</c> re-queues it at once rather than burning attempts.
/// </summary>
internal sealed partial class WorkItemProcessor
{
    private readonly CallEnricher _enricher;
    private readonly RecordingWork _recordings;
    private readonly ContractObserver _contract;
    private readonly AgentLookup _agents;
    private readonly Backfiller _backfiller;
    private readonly DeliveryLedger _ledger;
    private readonly WorkQueue _queue;
    private readonly QueuedCalls _queued;
    private readonly ParkedWork _parked;
    private readonly QueueOptions _queueOptions;
    private readonly TimeProvider _time;
    private readonly ILogger<WorkItemProcessor> _logger;
    private readonly AthosMetrics _metrics;

    public WorkItemProcessor(CallEnricher enricher, RecordingWork recordings, ContractObserver contract, AgentLookup agents, Backfiller backfiller, DeliveryLedger ledger, WorkQueue queue, QueuedCalls queued, ParkedWork parked, QueueOptions queueOptions, TimeProvider time, ILogger<WorkItemProcessor> logger, AthosMetrics metrics)
    {
        _enricher = enricher;
        _recordings = recordings;
        _contract = contract;
        _agents = agents;
        _backfiller = backfiller;
        _ledger = ledger;
        _queue = queue;
        _queued = queued;
        _parked = parked;
        _queueOptions = queueOptions;
        _time = time;
        _logger = logger;
        _metrics = metrics;
    }

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

    public async Task<WorkOutcome> ProcessAsync(BinaryData body, string messageId, long dequeueCount, CancellationToken cancellationToken = default)
    {
        WorkItem item;
        try
        {
            item = WorkItemSerializer.Deserialize(body);
        }
        catch (InvalidWorkItemException ex)
        {
            // It will never be readable: parked at once, not retried five times.
            Log.Malformed(_logger, ex, messageId, dequeueCount);
            await _parked.ParkAsync(body, null, messageId, dequeueCount, ParkReason.InvalidWorkItem, ex.Message, null, cancellationToken);
            _metrics.WorkItemProcessed(WorkOutcome.Parked.ToStorageName(), WorkOriginNames.TagOf(null), "invalid");
            return WorkOutcome.Parked;
        }

        try
        {
            var outcome = await HandleAsync(body, item, messageId, dequeueCount, cancellationToken);
            _metrics.WorkItemProcessed(outcome.ToStorageName(), WorkOriginNames.TagOf(item.Origin), WorkItem.KindOf(item));
            return outcome;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Left to the queue: its next attempt (or, if parking failed, the host's poison queue).
            _metrics.WorkItemProcessed(AthosMetrics.RetriedOutcome, WorkOriginNames.TagOf(item.Origin), WorkItem.KindOf(item));
            throw;
        }
    }

    private async Task<WorkOutcome> HandleAsync(BinaryData body, WorkItem item, string messageId, long dequeueCount, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await DispatchAsync(item, messageId, dequeueCount, cancellationToken);
            if (outcome != WorkOutcome.Deferred)
            {
                // A recording copy that continues in a new message keeps its call's mark.
                await ClearMarkAsync(item, cancellationToken);
            }

            return outcome;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Athos asked for a wait longer than the next attempt's: re-scheduled that far ahead, no attempt spent.
            if (ex is AthosApiException { RetryAfter: { } asked } && asked > _queueOptions.VisibilityTimeout && Age(item) < WorkQueue.MaxDeferral)
            {
                return await DeferAsync(item, asked, ex, cancellationToken);
            }

            if (dequeueCount < _queueOptions.MaxDequeueCount)
            {
                throw;
            }

            return await LastAttemptFailedAsync(body, item, messageId, dequeueCount, ex, cancellationToken);
        }
    }

    private async Task<WorkOutcome> DispatchAsync(WorkItem item, string messageId, long dequeueCount, CancellationToken cancellationToken) => item switch
    {
        BackfillPageWorkItem page => await ProcessPageAsync(page, dequeueCount, cancellationToken),
        FetchCallWorkItem fetch => await ProcessCallAsync(item, fetch.CallId, success: true, messageId, dequeueCount, cancellationToken),
        ScoringFailedWorkItem failed => await ProcessCallAsync(item, failed.CallId, success: false, messageId, dequeueCount, cancellationToken),
        RecordingWorkItem recording => await ProcessRecordingAsync(recording, dequeueCount, cancellationToken),
        AgentLookupWorkItem lookup => await _agents.ProcessAsync(lookup, cancellationToken),
        _ => throw new InvalidWorkItemException($"Work item kind {item.GetType().Name} has no handler."),
    };

    // The last attempt failed: Athos merely unavailable → wait and try again (up to a day); anything else → park.
    private async Task<WorkOutcome> LastAttemptFailedAsync(BinaryData body, WorkItem item, string messageId, long dequeueCount, Exception ex, CancellationToken cancellationToken)
    {
        var athos = ex as AthosApiException;
        var transient = athos?.Kind == AthosErrorKind.Transient || ex is StorageConflictException or RecordingUnavailableException;
        if (transient && Age(item) < WorkQueue.MaxDeferral)
        {
            // As long again as all the attempts took (host.json: 5 × 1 minute), doubling, at most an hour.
            var first = _queueOptions.VisibilityTimeout * _queueOptions.MaxDequeueCount;
            first = first < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : first;
            var backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, first.Ticks << Math.Min(item.Deferrals, 10)));
            return await DeferAsync(item, backoff, ex, cancellationToken);
        }

        var reason = athos switch
        {
            { Kind: AthosErrorKind.Transient } => ParkReason.AthosUnavailable,
            not null => ParkReason.AthosRefused,
            _ => ParkReason.Failed,
        };
        try
        {
            await _parked.ParkAsync(body, item, messageId, dequeueCount, reason, $"{ex.GetType().Name}: {ex.Message}", athos, cancellationToken);
        }
        catch (Exception parkFailure) when (parkFailure.IsStorageFailure())
        {
            // Storage is down too: the host retries the message, or moves it to the poison queue, whence it is swept here.
            Log.ParkFailed(_logger, parkFailure, messageId);
            throw;
        }

        Log.Parked(_logger, ex, messageId, CallIdOf(item), item.Origin, reason, athos?.Status, athos?.ErrorCode, athos?.RequestId, dequeueCount);
        await ClearMarkAsync(item, cancellationToken);
        if (item is BackfillPageWorkItem page)
        {
            try
            {
                await _backfiller.StopAtParkedPageAsync(page, $"{reason}: {ex.Message}", cancellationToken);
            }
            catch (Exception stopFailure) when (stopFailure.IsStorageFailure())
            {
                // Best effort: a job left running is let go by the rescan's gate once it has been quiet a day.
            }
        }

        if (item.WebhookId is { } webhookId && CallIdOf(item) is { } callId)
        {
            await NoteFailureAsync(callId, webhookId, $"parked ({reason}): {ex.Message}", cancellationToken);
        }

        return WorkOutcome.Parked;
    }

    // The trigger cannot change its own message's visibility: a copy is queued invisible for the delay, the original completed.
    private async Task<WorkOutcome> DeferAsync(WorkItem item, TimeSpan delay, Exception cause, CancellationToken cancellationToken)
    {
        delay = delay < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : delay > WorkQueue.MaxDelay ? WorkQueue.MaxDelay : delay;
        if (item is FetchCallWorkItem fetch)
        {
            await _queue.EnqueueAsync(fetch with { Deferrals = item.Deferrals + 1, Marked = true }, delay, cancellationToken);
            await _queued.MarkAsync(fetch.CallId, item.Origin.ToStorageName(), delay, cancellationToken);
        }
        else if (item is RecordingWorkItem recording)
        {
            await _queue.EnqueueAsync(recording with { Deferrals = item.Deferrals + 1, Marked = true }, delay, cancellationToken);
            await _queued.MarkAsync(recording.CallId, item.Origin.ToStorageName(), delay, cancellationToken);
        }
        else
        {
            await _queue.EnqueueAsync(item with { Deferrals = item.Deferrals + 1 }, delay, cancellationToken);
        }

        Log.Deferred(_logger, CallIdOf(item), item.Origin, delay, item.Deferrals + 1, (cause as AthosApiException)?.RequestId, cause.Message);
        return WorkOutcome.Deferred;
    }

    private async Task<WorkOutcome> ProcessPageAsync(BackfillPageWorkItem page, long dequeueCount, CancellationToken cancellationToken)
    {
        try
        {
            return await _backfiller.ProcessPageAsync(page, cancellationToken);
        }
        catch (AthosApiException ex)
        {
            Log.BackfillPageFailed(_logger, ex, page.JobId, page.Page, ex.Kind, ex.Status, ex.ErrorCode, ex.RequestId, dequeueCount);
            throw;
        }
    }

    private async Task<WorkOutcome> ProcessRecordingAsync(RecordingWorkItem item, long dequeueCount, CancellationToken cancellationToken)
    {
        var outcome = await _recordings.ProcessAsync(item, cancellationToken);
        Log.Processed(_logger, item.CallId.Value, item.Origin, outcome, item.WebhookId, dequeueCount);
        return outcome;
    }

    private async Task<WorkOutcome> ProcessCallAsync(WorkItem item, CallId callId, bool success, string messageId, long dequeueCount, CancellationToken cancellationToken)
    {
        // Only webhook items are deduplicated by delivery id and signed content; redriven ones run regardless, and a
        // deferred copy carries on its original's claim.
        if (item is { Origin: WorkOrigin.Webhook, WebhookId: { } webhookId, Deferrals: 0 })
        {
            var claim = await _ledger.ClaimAsync(webhookId, callId.Value, success, item.ReceivedAt, messageId, item.ContentHash, cancellationToken);
            if (claim != DeliveryClaimOutcome.Claimed)
            {
                var duplicate = claim == DeliveryClaimOutcome.Replayed ? WorkOutcome.Replayed : WorkOutcome.Duplicate;
                Log.Processed(_logger, callId.Value, item.Origin, duplicate, item.WebhookId, dequeueCount);
                return duplicate;
            }
        }

        EnrichmentResult enriched;
        try
        {
            enriched = item switch
            {
                FetchCallWorkItem fetch => await _enricher.FetchAndStoreAsync(fetch, cancellationToken),
                _ => await _enricher.RecordFailureAsync((ScoringFailedWorkItem)item, cancellationToken),
            };
        }
        catch (AthosApiException ex)
        {
            LogAthosFailure(ex, callId.Value, item, dequeueCount);
            if (item.WebhookId is { } id)
            {
                await NoteFailureAsync(callId.Value, id, ex.Message, cancellationToken);
            }

            throw;
        }

        // The contract a detail spoke tells the reconciler what to list (once per process).
        if (enriched.Contract is { } contract)
        {
            await _contract.ObserveAsync(contract, cancellationToken);
        }

        // A rep the mirror lacks is looked up by a queued item of its own; a known one costs nothing here.
        await _agents.NoteAsync(enriched.AgentId, item.Origin, cancellationToken);

        var outcome = enriched.Outcome;
        if (outcome == WorkOutcome.Erased && item.WebhookId is { } delivery)
        {
            await _ledger.ForgetAsync(callId.Value, delivery, item.ContentHash, cancellationToken);
        }

        if (outcome == WorkOutcome.NotFound)
        {
            Log.NotFound(_logger, callId.Value, item.Origin, item.WebhookId);
        }
        else if (enriched.FreshnessSeconds is { } seconds)
        {
            // How long after Athos scored it the version was stored: logged and measured here.
            _metrics.VersionStored(seconds, WorkOriginNames.TagOf(item.Origin), enriched.Source);
            var rounded = Math.Round(seconds, 3);
            StoredLog.Processed(_logger, callId.Value, item.Origin, outcome, item.WebhookId, dequeueCount, rounded, enriched.Source);
        }
        else
        {
            Log.Processed(_logger, callId.Value, item.Origin, outcome, item.WebhookId, dequeueCount);
        }

        return outcome;
    }

    // A reconcile, backfill or rescan item (or a deferred copy) marked its call as queued: done now, so the next run may
    // queue the call again should it still be missing.
    private async Task ClearMarkAsync(WorkItem item, CancellationToken cancellationToken)
    {
        if (item is FetchCallWorkItem { Marked: true } or RecordingWorkItem { Marked: true })
        {
            try
            {
                await _queued.ClearAsync(((CallWorkItem)item).CallId, cancellationToken);
            }
            catch (Exception ex) when (ex.IsStorageFailure())
            {
                // Best effort: a mark left behind expires by itself (QueuedCalls.Hold).
            }
        }
    }

    private void LogAthosFailure(AthosApiException ex, string callId, WorkItem item, long dequeueCount)
    {
        if (ex.Kind == AthosErrorKind.Transient)
        {
            Log.AthosTransient(_logger, ex, callId, ex.Status, ex.ErrorCode, ex.RequestId, dequeueCount);
        }
        else
        {
            // Configuration or our own bug: the message is kept (retried, then parked) and someone must act.
            Log.AthosRefused(_logger, ex, callId, ex.Kind, ex.Status, ex.ErrorCode, ex.RequestId, item.WebhookId, dequeueCount);
        }
    }

    private async Task NoteFailureAsync(string callId, string webhookId, string error, CancellationToken cancellationToken)
    {
        try
        {
            await _ledger.RecordFailureAsync(callId, webhookId, error, cancellationToken);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            // Best effort: the failure is logged and the message retried or parked either way.
        }
    }

    private TimeSpan Age(WorkItem item) => item.ReceivedAt is { } receivedAt ? _time.GetUtcNow() - receivedAt : TimeSpan.Zero;

    private static string? CallIdOf(WorkItem item) => (item as CallWorkItem)?.CallId.Value;

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.WorkProcessed, Level = LogLevel.Information, Message = "Call {CallId} ({Origin}): {Outcome} (webhook {WebhookId}, attempt {DequeueCount})")]
        public static partial void Processed(ILogger logger, string callId, WorkOrigin origin, WorkOutcome outcome, string? webhookId, long dequeueCount);

        [LoggerMessage(EventId = LogEvents.WorkCallNotFound, Level = LogLevel.Warning, Message = "Call {CallId} ({Origin}) is unknown to Athos (CALL_NOT_FOUND); nothing stored (webhook {WebhookId})")]
        public static partial void NotFound(ILogger logger, string callId, WorkOrigin origin, string? webhookId);

        [LoggerMessage(EventId = LogEvents.WorkAthosTransient, Level = LogLevel.Warning, Message = "Call {CallId}: Athos failed transiently ({Status} {ErrorCode}, Athos request {AthosRequestId}); the message will be retried (attempt {DequeueCount})")]
        public static partial void AthosTransient(ILogger logger, Exception exception, string callId, int? status, string? errorCode, string? athosRequestId, long dequeueCount);

        [LoggerMessage(EventId = LogEvents.WorkAthosRefused, Level = LogLevel.Error, Message = "Call {CallId}: Athos refused the request ({Kind}: {Status} {ErrorCode}, Athos request {AthosRequestId}); the message is kept and retried, then parked (webhook {WebhookId}, attempt {DequeueCount})")]
        public static partial void AthosRefused(ILogger logger, Exception exception, string callId, AthosErrorKind kind, int? status, string? errorCode, string? athosRequestId, string? webhookId, long dequeueCount);

        [LoggerMessage(EventId = LogEvents.WorkMalformed, Level = LogLevel.Error, Message = "Queue message {MessageId} is not a valid work item; parked (attempt {DequeueCount})")]
        public static partial void Malformed(ILogger logger, Exception exception, string messageId, long dequeueCount);

        [LoggerMessage(EventId = LogEvents.WorkBackfillPageFailed, Level = LogLevel.Error, Message = "Backfill {JobId} page {Page}: Athos failed ({Kind}: {Status} {ErrorCode}, Athos request {AthosRequestId}); the page will be retried (attempt {DequeueCount})")]
        public static partial void BackfillPageFailed(ILogger logger, Exception exception, string jobId, int page, AthosErrorKind kind, int? status, string? errorCode, string? athosRequestId, long dequeueCount);

        [LoggerMessage(EventId = LogEvents.WorkParked, Level = LogLevel.Error, Message = "Queue message {MessageId} (call {CallId}, {Origin}) parked after {DequeueCount} attempts: {Reason} ({Status} {ErrorCode}, Athos request {AthosRequestId}); `athos-webhooks redrive` puts it back once the cause is fixed")]
        public static partial void Parked(ILogger logger, Exception exception, string messageId, string? callId, WorkOrigin origin, string reason, int? status, string? errorCode, string? athosRequestId, long dequeueCount);

        [LoggerMessage(EventId = LogEvents.WorkDeferred, Level = LogLevel.Warning, Message = "Call {CallId} ({Origin}) re-queued to run in {Delay} (deferral {Deferrals}, Athos request {AthosRequestId}): {Reason}")]
        public static partial void Deferred(ILogger logger, string? callId, WorkOrigin origin, TimeSpan delay, int deferrals, string? athosRequestId, string reason);

        [LoggerMessage(EventId = LogEvents.WorkParkFailed, Level = LogLevel.Error, Message = "Queue message {MessageId} could not be parked (storage unavailable); the host retries it")]
        public static partial void ParkFailed(ILogger logger, Exception exception, string messageId);
    }

    // Event 3001 again, for an item that stored a version: FreshnessSeconds is what KQL percentile() reads (the alert on
    // freshness and the workbook query it; docs/operations.md, "Metrics"). A class of its own, because one type may not
    // declare two methods with one event id.
    private static partial class StoredLog
    {
        [LoggerMessage(EventId = LogEvents.WorkProcessed, Level = LogLevel.Information, Message = "Call {CallId} ({Origin}): {Outcome} (webhook {WebhookId}, attempt {DequeueCount}), {FreshnessSeconds} s after Athos scored it ({Source})")]
        public static partial void Processed(ILogger logger, string callId, WorkOrigin origin, WorkOutcome outcome, string? webhookId, long dequeueCount, double freshnessSeconds, string? source);
    }
}
