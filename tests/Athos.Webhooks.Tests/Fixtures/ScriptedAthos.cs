using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>
/// A loopback HTTP server that answers Athos's list endpoint from a script, for what the simulator (a faithful Athos)
/// never does: cursors that loop, ids that are not ids.
/// </summary>
public sealed class ScriptedAthos : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScriptedAthos(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>List requests answered so far.</summary>
    public int ListRequests => _count;

    private int _count;

    /// <summary>Serves <c>GET /calls</c>, and details from <paramref name="detail"/> (404 <c>CALL_NOT_FOUND</c> when it gives none): <paramref name="page"/> gets the request's cursor (null for the first page) and returns the JSON body.</summary>
    public static async Task<ScriptedAthos> StartAsync(Func<string?, string> page, Func<string, byte[]?>? detail = null)
    {
        ScriptedAthos? scripted = null;
        var (app, address) = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/v1/calls", (HttpContext context) =>
            {
                Interlocked.Increment(ref scripted!._count);
                context.Response.Headers["X-Athos-Request-Id"] = "req_scripted_" + scripted._count;
                return Results.Text(page(context.Request.Query["cursor"].FirstOrDefault()), "application/json");
            });
            app.MapGet("/v1/calls/{callId}", (HttpContext context, string callId) =>
            {
                context.Response.Headers["X-Athos-Request-Id"] = "req_scripted_detail";
                return detail?.Invoke(callId) is { } body
                    ? Results.Bytes(body, "application/json")
                    : Results.Text("""{"error":{"code":"CALL_NOT_FOUND","message":"Call not found","requestId":"req_scripted_detail"}}""", "application/json", statusCode: 404);
            });
        });
        scripted = new ScriptedAthos(app, new Uri(address, "v1"));
        return scripted;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
