using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Athos.Webhooks.AthosApi;

/// <summary>
/// The Athos External API: the call list (reconciliation source) and the call detail (enrichment source).
/// </summary>
/// <remarks>
/// A typed <see cref="HttpClient"/>: base address, bearer key, retries, timeouts and the circuit breaker are set up
/// by <see cref="AthosClientRegistration"/>. Every failure surfaces as one <see cref="AthosApiException"/>.
/// <paramref name="time"/> reads <c>Retry-After</c> dates.
/// </remarks>
internal sealed class AthosClient(HttpClient http, TimeProvider time)
{
    internal const string RequestIdHeader = "X-Athos-Request-Id";

    /// <summary>
    /// One request for one roleplay call ended in [<paramref name="from"/>, <paramref name="to"/>] (roleplay is the one
    /// source both contracts serve): the contract its row shows, or null when there is none. How the reconciler learns a
    /// tenant's contract when its lists have not shown it, and how <c>doctor</c> checks the key and URL.
    /// </summary>
    /// <exception cref="AthosApiException">Athos refused the request or did not answer.</exception>
    public async Task<AthosContract?> ProbeContractAsync(DateTimeOffset from, DateTimeOffset? to = null, CancellationToken cancellationToken = default)
    {
        var page = await ListCallsPageAsync(new CallListQuery(CallSources.Roleplay, from, to) { Limit = 1 }, null, cancellationToken);
        return page.Data.Count == 0 ? null : page.Data[0].Contract;
    }

    /// <summary>
    /// One page of the list; <paramref name="cursor"/> is the previous page's <see cref="CallPage.NextCursor"/>. Page
    /// through <see cref="CallPager"/>, which guards against cursors that loop.
    /// </summary>
    internal async Task<CallPage> ListCallsPageAsync(CallListQuery query, string? cursor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > CallListQuery.MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, $"The page size is 1–{CallListQuery.MaxPageSize}.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "calls" + BuildQueryString(query, cursor));
        using var response = await SendAsync(request, cancellationToken);
        var page = await ReadJsonAsync(response, AthosJsonContext.Default.CallPage, cancellationToken);
        return page with { RequestId = GetRequestId(response) };
    }

    /// <summary>
    /// One page of the roster (<c>GET /agents</c>, pages of <see cref="CallListQuery.MaxPageSize"/>); with
    /// <paramref name="agentId"/>, the filtered list that holds that one agent or nothing (the contract has no read of a
    /// single agent, and answers an unknown handle with an empty page, never 404).
    /// </summary>
    internal async Task<AgentPage> ListAgentsPageAsync(string? cursor, string? agentId = null, CancellationToken cancellationToken = default)
    {
        var query = new StringBuilder("?limit=").Append(CallListQuery.MaxPageSize);
        if (agentId is not null)
        {
            query.Append("&agentId=").Append(Uri.EscapeDataString(agentId));
        }

        if (cursor is not null)
        {
            query.Append("&cursor=").Append(Uri.EscapeDataString(cursor));
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "agents" + query);
        using var response = await SendAsync(request, cancellationToken);
        return await ReadJsonAsync(response, AthosJsonContext.Default.AgentPage, cancellationToken);
    }

    /// <summary>The full detail of one call, parsed, and the bytes exactly as Athos sent them.</summary>
    internal async Task<CallDetailResponse> GetCallAsync(CallId callId, CancellationToken cancellationToken = default)
    {
        // CallId admits only URL-safe characters; escaping anyway keeps the path safe should that rule ever widen.
        using var request = new HttpRequestMessage(HttpMethod.Get, "calls/" + Uri.EscapeDataString(callId.Value));
        using var response = await SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var detail = Deserialize(body, AthosJsonContext.Default.CallDetail, response);
        if (!string.Equals(detail.Id, callId.Value, StringComparison.Ordinal))
        {
            throw new AthosApiException(AthosErrorKind.Transient, $"Athos answered a request for {callId} with call {detail.Id}.", (int)response.StatusCode, requestId: GetRequestId(response));
        }

        return new CallDetailResponse(detail, body, GetRequestId(response));
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or TaskCanceledException)
        {
            throw new AthosApiException(AthosErrorKind.Transient, $"Athos could not be reached ({ex.GetType().Name}): {ex.Message}", innerException: ex);
        }
        catch (ResponseTooLargeException ex)
        {
            throw new AthosApiException(AthosErrorKind.Transient, ex.Message, innerException: ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ToExceptionAsync(response, cancellationToken);
        }
    }

    private async Task<AthosApiException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        AthosError? error = null;
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            error = JsonSerializer.Deserialize(body, AthosJsonContext.Default.AthosErrorEnvelope)?.Error;
        }
        catch (JsonException)
        {
            // Not Athos's envelope (a proxy's HTML page, say): classify by status alone.
        }

        var requestId = error?.RequestId ?? GetRequestId(response);
        var kind = AthosApiException.Classify(status, error?.Code);
        var message = error?.Code is { } code
            ? $"Athos answered {status} {code}: {error.Message}"
            : $"Athos answered {status} {response.ReasonPhrase} without its error envelope.";
        return new AthosApiException(kind, requestId is null ? message : $"{message} (request {requestId})", status, error?.Code, requestId)
        {
            // Only a throttle or an outage asks for a wait; the caller re-schedules the work that far ahead.
            RetryAfter = status is (int)HttpStatusCode.TooManyRequests or (int)HttpStatusCode.ServiceUnavailable
                && RetryAfter.TryGetDelay(response, time.GetUtcNow(), out var delay) ? delay : null,
        };
    }

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return Deserialize(body, type, response);
    }

    private static T Deserialize<T>(byte[] body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, HttpResponseMessage response)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type)
                ?? throw new JsonException("The body is the JSON literal null.");
        }
        catch (JsonException ex)
        {
            // A truncated or garbled body from a proxy or a bad deploy: worth another try later, never a silent drop.
            throw new AthosApiException(AthosErrorKind.Transient, $"Athos answered {(int)response.StatusCode} with a body that is not the documented JSON: {ex.Message}", (int)response.StatusCode, requestId: GetRequestId(response), innerException: ex);
        }
    }

    internal static string? GetRequestId(HttpResponseMessage response) =>
        response.Headers.TryGetValues(RequestIdHeader, out var values) ? values.FirstOrDefault() : null;

    private static string BuildQueryString(CallListQuery query, string? cursor)
    {
        var builder = new StringBuilder();
        Append(builder, "from", FormatTime(query.From));
        Append(builder, "to", query.To is { } to ? FormatTime(to) : null);
        Append(builder, "source", query.Source);
        Append(builder, "limit", query.Limit.ToString(CultureInfo.InvariantCulture));
        Append(builder, "cursor", cursor);
        return builder.ToString();

        static void Append(StringBuilder builder, string name, string? value)
        {
            if (value is null)
            {
                return;
            }

            builder.Append(builder.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }
    }

    // Millisecond precision in UTC, as Athos writes its own timestamps.
    private static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>A call detail and its raw body, which the archive stores byte for byte.</summary>
internal sealed record CallDetailResponse(CallDetail Call, ReadOnlyMemory<byte> RawJson, string? RequestId);
