using System.Diagnostics;
using System.Net.Http.Headers;
using Athos.Webhooks.Http;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Webhooks;

/// <summary>
/// Receives one <c>call.scored</c> delivery: size limit, signature, content type, payload, then a work item on the
/// queue, its one storage request. It acknowledges only what it has durably queued (or knowingly ignored); if storage
/// fails the answer is 503, Athos retries once, and the reconciler is the backstop. Duplicates are recognised by the
/// worker, by webhook id, before any Athos request.
/// </summary>
internal sealed partial class WebhookReceiver
{
    private readonly IOptions<WebhookOptions> _options;
    private readonly RefusalLog _refusals;
    private readonly DeliveryLedger _ledger;
    private readonly WorkQueue _queue;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookReceiver> _logger;
    private readonly AthosMetrics _metrics;

    public WebhookReceiver(IOptions<WebhookOptions> options, RefusalLog refusals, DeliveryLedger ledger, WorkQueue queue, TimeProvider time, ILogger<WebhookReceiver> logger, AthosMetrics metrics)
    {
        _options = options;
        _refusals = refusals;
        _ledger = ledger;
        _queue = queue;
        _time = time;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>Athos waits 10 seconds for an answer; storage gets most of that, and then the answer is 503.</summary>
    internal static readonly TimeSpan StorageBudget = TimeSpan.FromSeconds(7);

    private static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(5);

    /// <summary>Answers one delivery, counting it and its ACK duration.</summary>
    internal async Task<WebhookResult> ReceiveAsync(WebhookRequest request, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await AnswerAsync(request, cancellationToken);
        _metrics.DeliveryAnswered(result, Stopwatch.GetElapsedTime(started));
        return result;
    }

    private async Task<WebhookResult> AnswerAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = _options.Value;

        if (request.ContentLength > WebhookOptions.MaxBodyBytes)
        {
            return Limited(WebhookResult.Reject(413, WebhookErrorCodes.PayloadTooLarge, $"The body is {request.ContentLength} bytes; the limit is {WebhookOptions.MaxBodyBytes}."), request.WebhookId);
        }

        var body = await BoundedBody.ReadAsync(request.Body, WebhookOptions.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Limited(WebhookResult.Reject(413, WebhookErrorCodes.PayloadTooLarge, $"The body is over the limit of {WebhookOptions.MaxBodyBytes} bytes."), request.WebhookId);
        }

        // Authenticate before anything else is looked at: an unsigned request learns nothing about our validation.
        var verdict = WebhookSignature.Verify(request.Signature, body, settings.Secrets, _time.GetUtcNow(), settings.Tolerance, out var signedAt);
        if (verdict != SignatureOutcome.Valid)
        {
            return Limited(SignatureRejection(verdict, settings.Tolerance), request.WebhookId);
        }

        if (!IsJson(request.ContentType))
        {
            return Limited(WebhookResult.Reject(415, WebhookErrorCodes.UnsupportedMediaType, $"Content-Type must be application/json; it is '{request.ContentType}'."), request.WebhookId);
        }

        if (string.IsNullOrEmpty(request.WebhookId))
        {
            return Limited(WebhookResult.Reject(400, WebhookErrorCodes.MissingWebhookId, $"The {WebhookHttpEndpoint.WebhookIdHeader} header is required."), null);
        }

        if (!WebhookId.IsValid(request.WebhookId))
        {
            return Limited(WebhookResult.Reject(400, WebhookErrorCodes.InvalidWebhookId, $"{WebhookHttpEndpoint.WebhookIdHeader} must be 1–{WebhookId.MaxLength} letters, digits, '_' or '-', not starting with '{SignedContentRow.KeyPrefix}'."), null);
        }

        var webhookId = request.WebhookId;
        var (webhookEvent, unhandledEvent, athosRequestId, rejection) = WebhookEventParser.Parse(body);
        if (rejection is not null)
        {
            return Rejected(rejection, webhookId);
        }

        // Authenticated from here on: the queue put runs to the end on its own budget, not the
        // caller's token. Athos hanging up (or its 10 s timeout) must not lose a delivery that is half-way to the queue;
        // if the answer cannot be written, Athos retries and the retry is recognised as a duplicate.
        using var budget = new CancellationTokenSource(StorageBudget, _time);
        try
        {
            if (unhandledEvent is not null)
            {
                await _ledger.RecordIgnoredAsync(webhookId, unhandledEvent, athosRequestId, budget.Token);
                Log.Ignored(_logger, webhookId, unhandledEvent, athosRequestId);
                return WebhookResult.Ignored;
            }

            // One storage request, the queue put: a repeated delivery is queued too, and the worker recognises it by its
            // webhook id in the ledger before any Athos request (and counts it), so the ACK never waits for a read.
            var call = webhookEvent!;
            await _queue.EnqueueAsync(ToWorkItem(call, webhookId, WebhookSignature.ContentHash(signedAt, body)), budget.Token);
            Log.Accepted(_logger, webhookId, call.CallId.Value, athosRequestId, call.Success);
            return WebhookResult.Accepted;
        }
        catch (Exception ex) when (ex is OperationCanceledException || ex.IsStorageFailure())
        {
            Log.StorageUnavailable(_logger, ex, webhookId, webhookEvent?.CallId.Value, athosRequestId);
            return new WebhookResult(503, Error: new ApiError(WebhookErrorCodes.StorageUnavailable, "The delivery could not be stored; it was not accepted. Retry later."), RetryAfter: RetryAfter);
        }
    }

    private WorkItem ToWorkItem(WebhookEvent call, string webhookId, string contentHash)
    {
        var receivedAt = _time.GetUtcNow();
        return call.Success
            ? new FetchCallWorkItem { Origin = WorkOrigin.Webhook, CallId = call.CallId, WebhookId = webhookId, ContentHash = contentHash, ReceivedAt = receivedAt, OccurredAt = call.OccurredAt }
            : new ScoringFailedWorkItem
            {
                Origin = WorkOrigin.Webhook,
                CallId = call.CallId,
                WebhookId = webhookId,
                ContentHash = contentHash,
                ReceivedAt = receivedAt,
                OccurredAt = call.OccurredAt,
                Reason = call.Reason,
                ReasonMessage = call.ReasonMessage,
                Source = call.Source,
                ExternalUserId = call.ExternalUserId,
                ExternalAgencyId = call.ExternalAgencyId,
                AgentId = call.AgentId,
                AgencyId = call.AgencyId,
            };
    }

    // A request refused for what its signature does not cover (the signature itself, the size, the headers: a captured
    // delivery lets anyone vary those): counted exactly (the delivery metric), logged by RefusalLog (the first of a
    // minute, then the count), and its span left out of the export, so that a flood of them cannot fill the workspace.
    private WebhookResult Limited(WebhookResult outcome, string? webhookId)
    {
        _refusals.Refused(outcome.StatusCode, outcome.Error!.Code, LoggableId(webhookId));
        if (Activity.Current is { } span)
        {
            span.IsAllDataRequested = false;
            span.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }

        return outcome;
    }

    // A delivery refused for its signed body (only the secret's holders, Athos first, can send one): each is logged.
    private WebhookResult Rejected(WebhookResult outcome, string? webhookId)
    {
        Log.Rejected(_logger, outcome.StatusCode, outcome.Error!.Code, LoggableId(webhookId));
        return outcome;
    }

    // The id is unauthenticated until the signature is checked: it is logged only when well-formed.
    private static string? LoggableId(string? webhookId) => webhookId is not null && WebhookId.IsValid(webhookId) ? webhookId : null;

    private static WebhookResult SignatureRejection(SignatureOutcome verdict, TimeSpan tolerance) => verdict switch
    {
        SignatureOutcome.Missing => WebhookResult.Reject(401, WebhookErrorCodes.MissingSignature, $"The {WebhookSignature.HeaderName} header is required."),
        SignatureOutcome.Malformed => WebhookResult.Reject(401, WebhookErrorCodes.MalformedSignature, $"{WebhookSignature.HeaderName} must look like t=<unix seconds>,v1=<64 hex characters>."),
        SignatureOutcome.Stale => WebhookResult.Reject(401, WebhookErrorCodes.StaleTimestamp, $"The signed timestamp is more than {tolerance.TotalSeconds:0} seconds from now."),
        _ => WebhookResult.Reject(401, WebhookErrorCodes.InvalidSignature, "No v1 signature matches the configured secret."),
    };

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && string.Equals(mediaType.MediaType, "application/json", StringComparison.OrdinalIgnoreCase);

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.WebhookAccepted, Level = LogLevel.Information, Message = "Webhook {WebhookId} for call {CallId} accepted and queued (success {Success}, Athos request {AthosRequestId})")]
        public static partial void Accepted(ILogger logger, string webhookId, string callId, string? athosRequestId, bool success);

        [LoggerMessage(EventId = LogEvents.WebhookIgnored, Level = LogLevel.Warning, Message = "Webhook {WebhookId} has event type {EventType}, which this version does not handle; acknowledged and ignored (Athos request {AthosRequestId})")]
        public static partial void Ignored(ILogger logger, string webhookId, string eventType, string? athosRequestId);

        [LoggerMessage(EventId = LogEvents.WebhookRejected, Level = LogLevel.Warning, Message = "Webhook rejected with {StatusCode} {ErrorCode} (webhook {WebhookId})")]
        public static partial void Rejected(ILogger logger, int statusCode, string errorCode, string? webhookId);

        [LoggerMessage(EventId = LogEvents.WebhookStorageUnavailable, Level = LogLevel.Error, Message = "Webhook {WebhookId} for call {CallId} could not be stored; answered 503 (Athos request {AthosRequestId})")]
        public static partial void StorageUnavailable(ILogger logger, Exception exception, string webhookId, string? callId, string? athosRequestId);
    }
}
