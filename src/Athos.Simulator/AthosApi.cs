using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Athos.Simulator;

/// <summary>The two read endpoints of the Athos External API: <c>GET /calls</c> and <c>GET /calls/{callId}</c>.</summary>
internal sealed class AthosApi(CallStore store, SimulatorOptions options, SimulatorFaults faults, RequestLog requests, TimeProvider time)
{
    public const string BasePath = "/api/external/v1";
    private const string RequestIdHeader = "X-Athos-Request-Id";

    // Cursors are MAC'd with a per-process key: only this simulator's cursors are accepted.
    private readonly byte[] _cursorKey = RandomNumberGenerator.GetBytes(32);

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(BasePath + "/calls", ListAsync);
        app.MapGet(BasePath + "/calls/{callId}", DetailAsync);
        app.Map(BasePath + "/{**rest}", (HttpContext context) =>
        {
            var requestId = StartRequest(context);
            return WriteErrorAsync(context, 404, "INVALID_REQUEST", "No such endpoint.", requestId);
        });
    }

    private async Task ListAsync(HttpContext context)
    {
        var requestId = StartRequest(context);
        if (!await AuthorizeAsync(context, requestId))
        {
            return;
        }

        var query = context.Request.Query;
        if (!TryParseTime(query["from"], required: true, out var from, out var fromError))
        {
            await WriteErrorAsync(context, 400, "INVALID_REQUEST", fromError.Replace("{0}", "from", StringComparison.Ordinal), requestId);
            return;
        }

        if (!TryParseTime(query["to"], required: false, out var to, out var toError))
        {
            await WriteErrorAsync(context, 400, "INVALID_REQUEST", toError.Replace("{0}", "to", StringComparison.Ordinal), requestId);
            return;
        }

        var limit = 50;
        if (query.TryGetValue("limit", out var limitText) && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            await WriteErrorAsync(context, 400, "INVALID_REQUEST", "limit must be an integer between 1 and 100.", requestId);
            return;
        }

        string? source = query["source"], user = query["externalUserId"], agency = query["externalAgencyId"];
        var queryHash = HashQuery(from, to, source, user, agency);
        ListCursor? cursor = null;
        if (query.TryGetValue("cursor", out var cursorText))
        {
            cursor = ListCursor.TryDecode(cursorText.ToString(), _cursorKey);
            if (cursor is null || cursor.QueryHash != queryHash)
            {
                await WriteErrorAsync(context, 400, "INVALID_REQUEST", "cursor is invalid or belongs to another query.", requestId);
                return;
            }
        }

        var page = cursor?.NextPage ?? 1;
        var requestKey = $"list:{queryHash}:{page}:{cursorText}";
        var attempt = requests.Count(ApiOperation.List, requestKey, null);
        if (await InjectFaultAsync(context, new ApiRequestInfo(ApiOperation.List, null, page, attempt), requestKey, requestId))
        {
            return;
        }

        var rows = store.ScoredNewestFirst()
            .Where(c => c.EndedAt >= from && (to is null || c.EndedAt <= to))
            .Where(c => (source is null || c.Source == source) && (user is null || c.ExternalUserId == user) && (agency is null || c.ExternalAgencyId == agency))
            .Where(c => cursor is null || IsAfter(c, cursor))
            .Take(limit + 1)
            .ToList();
        var hasMore = rows.Count > limit;
        if (hasMore)
        {
            rows.RemoveAt(limit);
        }

        string? nextCursor = hasMore
            ? new ListCursor(rows[^1].EndedAt.UtcTicks, rows[^1].Id, page + 1, queryHash).Encode(_cursorKey)
            : null;

        await WriteJsonAsync(context, 200, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("data");
            foreach (var call in rows)
            {
                CallJson.WriteSlim(json, call);
            }

            json.WriteEndArray();
            json.WriteString("nextCursor", nextCursor);
            json.WriteEndObject();
        });
    }

    private async Task DetailAsync(HttpContext context, string callId)
    {
        var requestId = StartRequest(context);
        if (!await AuthorizeAsync(context, requestId))
        {
            return;
        }

        var requestKey = "detail:" + callId;
        var attempt = requests.Count(ApiOperation.Detail, requestKey, callId);
        if (await InjectFaultAsync(context, new ApiRequestInfo(ApiOperation.Detail, callId, 0, attempt), requestKey, requestId))
        {
            return;
        }

        // Unknown, another tenant's, pending and failed calls all look alike from outside.
        var call = store.Find(callId);
        if (call is not { State: CallState.Scored })
        {
            await WriteErrorAsync(context, 404, "CALL_NOT_FOUND", "Call not found", requestId);
            return;
        }

        await WriteJsonAsync(context, 200, json => CallJson.WriteDetail(json, call));
    }

    private string StartRequest(HttpContext context)
    {
        requests.CountRequest();
        var requestId = "req_" + Guid.NewGuid().ToString("D");
        context.Response.Headers[RequestIdHeader] = requestId;
        return requestId;
    }

    private async Task<bool> AuthorizeAsync(HttpContext context, string requestId)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var key = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : null;
        if (key is not null && options.RevokedApiKeys.Contains(key))
        {
            await WriteErrorAsync(context, 401, "API_KEY_REVOKED", "API key has been revoked", requestId);
            return false;
        }

        if (key is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(options.ApiKey)))
        {
            await WriteErrorAsync(context, 401, "INVALID_API_KEY", "Invalid API key", requestId);
            return false;
        }

        return true;
    }

    private async Task<bool> InjectFaultAsync(HttpContext context, ApiRequestInfo request, string requestKey, string requestId)
    {
        var delay = faults.DelayFor(requestKey, request.Attempt);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time, context.RequestAborted);
        }

        if (faults.Decide(request, requestKey) is not { } fault)
        {
            return false;
        }

        if (fault.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = fault.RetryAfterAsDate
                ? (time.GetUtcNow() + retryAfter).ToString("R", CultureInfo.InvariantCulture)
                : ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        await WriteErrorAsync(context, fault.Status, fault.ErrorCode, "Injected fault.", requestId);
        return true;
    }

    private static bool IsAfter(SimulatedCall call, ListCursor cursor) =>
        call.EndedAt.UtcTicks < cursor.EndedAtTicks
        || (call.EndedAt.UtcTicks == cursor.EndedAtTicks && string.CompareOrdinal(call.Id, cursor.LastId) < 0);

    private static bool TryParseTime(string? text, bool required, out DateTimeOffset? time, out string error)
    {
        time = null;
        error = string.Empty;
        if (string.IsNullOrEmpty(text))
        {
            error = "{0} is required.";
            return !required;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            time = parsed;
            return true;
        }

        error = "{0} must be an ISO 8601 date-time.";
        return false;
    }

    private static uint HashQuery(DateTimeOffset? from, DateTimeOffset? to, string? source, string? user, string? agency)
    {
        var text = $"{from?.UtcTicks}|{to?.UtcTicks}|{source}|{user}|{agency}";
        return BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string code, string message, string requestId) =>
        WriteJsonAsync(context, status, json => CallJson.WriteError(json, code, message, requestId));

    private static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, CallJson.WriterOptions))
        {
            write(json);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
