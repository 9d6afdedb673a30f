using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Athos.Simulator;

/// <summary>
/// Delivers signed <c>call.scored</c> webhooks as Athos does: one POST, and on a non-2xx answer or a timeout one retry
/// after <see cref="SimulatorOptions.WebhookRetryDelay"/> with the same webhook id and body; then it gives up for good.
/// </summary>
public sealed class WebhookDispatcher : IAsyncDisposable
{
    private const int MaxRecordedBody = 4096;

    private readonly SimulatorOptions _options;
    private readonly SimulatorFaults _faults;
    private readonly CallGenerator _ids;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly ConcurrentQueue<WebhookDelivery> _deliveries = new();
    private readonly ConcurrentDictionary<Task, byte> _pending = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _sendSlots;

    internal WebhookDispatcher(SimulatorOptions options, SimulatorFaults faults, CallGenerator ids, TimeProvider time)
    {
        _options = options;
        _faults = faults;
        _ids = ids;
        _time = time;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = Timeout.InfiniteTimeSpan };
        _sendSlots = new SemaphoreSlim(options.MaxConcurrentDeliveries);
    }

    /// <summary>Where webhooks go. Set it to receive deliveries for calls as they are scored or fail.</summary>
    public Uri? Target { get; set; }

    /// <summary>Every delivery completed so far, in completion order.</summary>
    public IReadOnlyList<WebhookDelivery> Deliveries => [.. _deliveries];

    /// <summary>Delivers the webhook for <paramref name="call"/>'s current state in the background.</summary>
    public void Enqueue(SimulatedCall call)
    {
        if (Target is not { } target || call.State == CallState.Pending)
        {
            return;
        }

        var task = DeliverAsync(call, target, _stopping.Token);
        _pending.TryAdd(task, 0);
        _ = task.ContinueWith(t => _pending.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Waits until every delivery started so far, retries included, has finished.</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        while (!_pending.IsEmpty)
        {
            await Task.WhenAll(_pending.Keys).WaitAsync(cancellationToken);
        }
    }

    /// <summary>The full delivery of <paramref name="call"/>'s webhook: fault decisions, the POST and, if needed, the retry.</summary>
    public Task<WebhookDelivery> DeliverAsync(SimulatedCall call, Uri target, CancellationToken cancellationToken = default) =>
        DeliverAsync(call, () => target, cancellationToken);

    /// <summary>As <see cref="DeliverAsync(SimulatedCall, Uri, CancellationToken)"/>, each POST to the next of <paramref name="targets"/>.</summary>
    public Task<WebhookDelivery> DeliverAsync(SimulatedCall call, WebhookTargets targets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        return DeliverAsync(call, targets.Next, cancellationToken);
    }

    private async Task<WebhookDelivery> DeliverAsync(SimulatedCall call, Func<Uri> target, CancellationToken cancellationToken)
    {
        var webhookId = _ids.NewWebhookId();
        var body = BodyFor(call);
        var success = call.State == CallState.Scored;
        if (_faults.ShouldDrop(webhookId))
        {
            return Record(new WebhookDelivery(webhookId, call.Id, success, Dropped: true, [], body));
        }

        var attempts = new List<WebhookAttempt>();
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        var first = await SendAsync(target(), webhookId, body, timestamp, 1, isDuplicate: false, cancellationToken);
        attempts.Add(first);
        if (_faults.ShouldDuplicate(webhookId))
        {
            attempts.Add(await SendAsync(target(), webhookId, body, timestamp, 1, isDuplicate: true, cancellationToken));
        }

        if (!first.Acked)
        {
            await Task.Delay(_options.WebhookRetryDelay, _time, cancellationToken);
            var retryTimestamp = _options.RestampWebhookRetries ? _time.GetUtcNow().ToUnixTimeSeconds() : timestamp;
            attempts.Add(await SendAsync(target(), webhookId, body, retryTimestamp, 2, isDuplicate: false, cancellationToken));
        }

        return Record(new WebhookDelivery(webhookId, call.Id, success, Dropped: false, attempts, body));
    }

    /// <summary>One signed POST of exactly <paramref name="body"/>; no retry, no fault injection.</summary>
    public Task<WebhookAttempt> SendAsync(Uri target, string webhookId, byte[] body, long? timestamp = null, CancellationToken cancellationToken = default) =>
        SendAsync(target, webhookId, body, timestamp ?? _time.GetUtcNow().ToUnixTimeSeconds(), 1, isDuplicate: false, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await WhenIdleAsync();
        }
        catch (OperationCanceledException)
        {
            // Deliveries waiting for their retry end here.
        }

        _http.Dispose();
        _stopping.Dispose();
        _sendSlots.Dispose();
    }

    /// <summary>
    /// The body of a <c>call.scored</c> webhook for <paramref name="call"/>'s current state, unsigned; its
    /// <c>occurredAt</c> is when the outcome was reached (scored, or failed), never later than now.
    /// </summary>
    public byte[] BodyFor(SimulatedCall call) => CallJson.WebhookEvent(call, _options.Contract, "req_" + Guid.NewGuid().ToString("D"), OccurredAt(call));

    private DateTimeOffset OccurredAt(SimulatedCall call)
    {
        var now = _time.GetUtcNow();
        var reached = call.ScoredAt ?? call.UpdatedAt;
        return reached < now ? reached : now;
    }

    private async Task<WebhookAttempt> SendAsync(Uri target, string webhookId, byte[] body, long timestamp, int number, bool isDuplicate, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(WebhookSigner.SignatureHeader, WebhookSigner.Header(_options.WebhookSecret, timestamp, body));
        request.Headers.TryAddWithoutValidation(WebhookSigner.WebhookIdHeader, webhookId);

        await _sendSlots.WaitAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.WebhookTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token);
            var answer = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            var text = Encoding.UTF8.GetString(answer, 0, Math.Min(answer.Length, MaxRecordedBody));
            return new WebhookAttempt(number, timestamp, (int)response.StatusCode, text, null, Stopwatch.GetElapsedTime(started), isDuplicate);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var error = ex is OperationCanceledException ? $"no answer within {_options.WebhookTimeout}" : ex.Message;
            return new WebhookAttempt(number, timestamp, null, null, error, Stopwatch.GetElapsedTime(started), isDuplicate);
        }
        finally
        {
            _sendSlots.Release();
        }
    }

    private WebhookDelivery Record(WebhookDelivery delivery)
    {
        _deliveries.Enqueue(delivery);
        return delivery;
    }
}
