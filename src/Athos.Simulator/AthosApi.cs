using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Athos.Simulator;

/// <summary>
/// The two read endpoints of the Athos External API: <c>GET /calls</c> and <c>GET /calls/{callId}</c>, in the shape of
/// the tenant's <see cref="SimulatorOptions.Contract"/>.
/// </summary>
internal sealed class AthosApi(CallStore store, CallGenerator generator, AgentRoster roster, RecordingLinks recordings, SimulatorOptions options, SimulatorFaults faults, RequestLog requests, TimeProvider time)
{
    public const string BasePath = "/api/external/v1";
    private const string RequestIdHeader = "X-Athos-Request-Id";

    // Cursors are MAC'd with a per-process key: only this simulator's cursors are accepted.
    private readonly byte[] _cursorKey = RandomNumberGenerator.GetBytes(32);

    public void Map(WebApplication app)
    {
        // Counts API requests in flight, from arrival to the last byte of the answer (latency and faults included).
        app.UseWhen(context => context.Request.Path.StartsWithSegments(BasePath, StringComparison.Ordinal), api => api.Use(async (context, next) =>
        {
            requests.Enter();
            try
            {
                await next(context);
            }
            finally
            {
                requests.Leave();
            }
        }));
        app.MapGet(BasePath + "/calls", ListAsync);
        app.MapGet(BasePath + "/calls/{callId}", DetailAsync);
        app.MapGet(BasePath + "/agents", AgentsAsync);
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

        var contract = options.Contract;
        if (ListQuery.Parse(context.Request.Query, contract, out var error) is not { } query)
        {
            await WriteErrorAsync(context, 400, "INVALID_REQUEST", error, requestId);
            return;
        }

        var queryHash = query.Hash;
        ListCursor? cursor = null;
        if (context.Request.Query.TryGetValue("cursor", out var cursorText))
        {
            cursor = ListCursor.TryDecode(cursorText.ToString(), _cursorKey);
            if (cursor is null || cursor.QueryHash != queryHash)
            {
                await WriteErrorAsync(context, 400, "INVALID_REQUEST", "cursor is invalid or belongs to another query.", requestId);
                return;
            }
        }

        // Athos's own ids are checked against the tenant (a foreign one is as unknown as a made-up one); platform ids are plain filters.
        if (query.AgentId is { } agentId && !generator.AgentIds.Contains(agentId) && !store.Any(c => c.AgentId == agentId))
        {
            await WriteErrorAsync(context, 404, "AGENT_NOT_FOUND", "Agent not found", requestId);
            return;
        }

        if (query.AgencyId is { } agencyId && !generator.AgencyIds.Contains(agencyId) && !store.Any(c => c.AgencyId == agencyId))
        {
            await WriteErrorAsync(context, 404, "AGENCY_NOT_FOUND", "Agency not found", requestId);
            return;
        }

        var page = cursor?.NextPage ?? 1;
        var requestKey = $"list:{queryHash}:{page}:{cursorText}";
        var attempt = requests.Count(ApiOperation.List, requestKey, null);
        if (await InjectFaultAsync(context, new ApiRequestInfo(ApiOperation.List, null, page, attempt), requestKey, requestId))
        {
            return;
        }

        var rows = store.ScoredNewestFirst(query.Axis)
            .Where(query.Matches)
            .Where(c => cursor is null || IsAfter(query.AxisOf(c), c.Id, cursor))
            .Take(query.Limit + 1)
            .ToList();
        var hasMore = rows.Count > query.Limit;
        if (hasMore)
        {
            rows.RemoveAt(query.Limit);
        }

        string? nextCursor = hasMore
            ? new ListCursor(query.AxisOf(rows[^1]).UtcTicks, rows[^1].Id, page + 1, queryHash).Encode(_cursorKey)
            : null;

        await WriteJsonAsync(context, 200, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("data");
            foreach (var call in rows)
            {
                CallJson.WriteSlim(json, call, contract);
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

        var contract = options.Contract;
        // The link points where the client reached the simulator, so it works through whatever address the test used.
        var recording = contract == AthosContract.Current
            ? recordings.For(call, $"{context.Request.Scheme}://{context.Request.Host}", time.GetUtcNow())
            : null;
        requests.CountDetailServed(call.Id);
        await WriteJsonAsync(context, 200, json => CallJson.WriteDetail(json, call, contract, recording));
    }

    // GET /agents (current contract only): the roster in pages of limit, by cursor; at most one handle filter, and agencyId.
    private async Task AgentsAsync(HttpContext context)
    {
        var requestId = StartRequest(context);
        if (options.Contract != AthosContract.Current)
        {
            await WriteErrorAsync(context, 404, "INVALID_REQUEST", "No such endpoint.", requestId);
            return;
        }

        if (!await AuthorizeAsync(context, requestId))
        {
            return;
        }

        var query = context.Request.Query;
        var limit = 50;
        if (query.TryGetValue("limit", out var limitText) && (!int.TryParse(limitText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            await WriteErrorAsync(context, 400, "INVALID_REQUEST", "limit must be 1-100.", requestId);
            return;
        }

        string[] handles = ["agentId", "platformAgentId", "npn", "email"];
        var given = handles.Where(h => query.ContainsKey(h)).ToList();
        if (given.Count > 1)
        {
            await WriteErrorAsync(context, 400, "INVALID_REQUEST", "Give at most one of agentId, platformAgentId, npn, email.", requestId);
            return;
        }

        string? agencyId = query.TryGetValue("agencyId", out var agencyText) ? agencyText.ToString() : null;
        if (agencyId is not null && !generator.AgencyIds.Contains(agencyId))
        {
            await WriteErrorAsync(context, 404, "AGENCY_NOT_FOUND", "Agency not found", requestId);
            return;
        }

        var handle = given.Count == 1 ? (Name: given[0], Value: query[given[0]].ToString()) : default;
        var queryHash = (uint)string.Join('|', handle.Name, handle.Value, agencyId, limit).GetHashCode(StringComparison.Ordinal);
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
        var requestKey = $"agents:{queryHash}:{page}:{cursorText}";
        var attempt = requests.Count(ApiOperation.Agents, requestKey, null);
        if (await InjectFaultAsync(context, new ApiRequestInfo(ApiOperation.Agents, null, page, attempt), requestKey, requestId))
        {
            return;
        }

        var rows = roster.Snapshot()
            .Where(a => handle.Name switch
            {
                "agentId" => a.Id == handle.Value,
                "platformAgentId" => a.PlatformAgentId == handle.Value,
                "npn" => a.Npn == handle.Value,
                "email" => a.Email == handle.Value,
                _ => true,
            })
            .Where(a => agencyId is null || a.AgencyId == agencyId)
            .Where(a => cursor is null || string.CompareOrdinal(a.Id, cursor.LastId) > 0)
            .Take(limit + 1)
            .ToList();
        var hasMore = rows.Count > limit;
        if (hasMore)
        {
            rows.RemoveAt(limit);
        }

        string? nextCursor = hasMore ? new ListCursor(0, rows[^1].Id, page + 1, queryHash).Encode(_cursorKey) : null;
        await WriteJsonAsync(context, 200, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("data");
            foreach (var agent in rows)
            {
                json.WriteStartObject();
                json.WriteString("id", agent.Id);
                json.WriteString("firstName", agent.FirstName);
                json.WriteString("lastName", agent.LastName);
                json.WriteString("email", agent.Email);
                json.WriteString("npn", agent.Npn);
                json.WriteString("platformAgentId", agent.PlatformAgentId);
                json.WriteString("agencyId", agent.AgencyId);
                json.WriteString("createdAt", agent.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("nextCursor", nextCursor);
            json.WriteEndObject();
        });
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
        if (await faults.InjectAsync(request, requestKey, time, context.RequestAborted) is not { } fault)
        {
            return false;
        }

        if (fault.RetryAfterHeader(time.GetUtcNow()) is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        await WriteErrorAsync(context, fault.Status, fault.ErrorCode, "Injected fault.", requestId);
        return true;
    }

    private static bool IsAfter(DateTimeOffset at, string id, ListCursor cursor) =>
        at.UtcTicks < cursor.AxisTicks
        || (at.UtcTicks == cursor.AxisTicks && string.CompareOrdinal(id, cursor.LastId) < 0);

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
