using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>
/// An Athos-shaped server on loopback whose answers can stall half-way: status, headers (with the full
/// <c>Content-Length</c>) and the first half of the body are sent and flushed, and then nothing more until the client
/// gives up. The simulator always finishes its answers; this is the proxy or overloaded node that does not.
/// </summary>
public sealed class StallingAthosServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private int _stallsLeft;
    private int _requests;
    private int _abandoned;

    private StallingAthosServer(WebApplication app, int stalls, long? declaredLength)
    {
        _app = app;
        _stallsLeft = stalls;
        DeclaredLength = declaredLength;
    }

    /// <summary>A <c>Content-Length</c> to announce instead of the body's own (a body far larger than it sends).</summary>
    private long? DeclaredLength { get; }

    /// <summary>The base URL to give the client (<c>ATHOS_BASE_URL</c>).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Requests received, of any kind.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Stalled answers whose client hung up (what a cut-off attempt looks like from the server).</summary>
    public int Abandoned => Volatile.Read(ref _abandoned);

    /// <summary>
    /// Starts a server whose first <paramref name="stalls"/> answers stall (<see cref="int.MaxValue"/>: all of them),
    /// announcing <paramref name="declaredLength"/> bytes when given.
    /// </summary>
    public static async Task<StallingAthosServer> StartAsync(int stalls, long? declaredLength = null)
    {
        StallingAthosServer? server = null;
        var (app, address) = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/v1/calls", context => server!.AnswerAsync(context, ListBody()));
            app.MapGet("/v1/calls/{callId}", (HttpContext context, string callId) => server!.AnswerAsync(context, DetailBody(callId)));
        });
        server = new StallingAthosServer(app, stalls, declaredLength) { BaseUrl = new Uri(address, "v1") };
        return server;
    }

    /// <summary>A call detail as Athos would send it, large enough (about 64 KiB) that half of it is a real partial body.</summary>
    public static byte[] DetailBody(string callId)
    {
        var turns = Enumerable.Range(0, 400).Select(i => new Dictionary<string, object>
        {
            ["role"] = i % 2 == 0 ? "rep" : "prospect",
            ["content"] = $"Turn {i}: " + new string('x', 120),
        });
        return JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
        {
            ["id"] = callId,
            ["source"] = "roleplay",
            ["externalUserId"] = "rep_1",
            ["externalAgencyId"] = null,
            ["drillKey"] = "cold_call",
            ["startedAt"] = "2026-06-05T14:00:00.000Z",
            ["endedAt"] = "2026-06-05T14:10:00.000Z",
            ["durationSec"] = 600,
            ["scoredAt"] = "2026-06-05T14:11:00.000Z",
            ["status"] = "scored",
            ["transcript"] = turns,
            ["score"] = new Dictionary<string, object> { ["overallScore"] = 81, ["summary"] = "Good.", ["feedback"] = "More questions." },
            ["createdAt"] = "2026-06-05T14:00:00.000Z",
            ["updatedAt"] = "2026-06-05T14:11:00.000Z",
        });
    }

    public static byte[] ListBody() => Encoding.UTF8.GetBytes("""
        {"data":[{"id":"athos_call_listed1","source":"roleplay","externalUserId":"rep_1","externalAgencyId":null,"drillKey":"cold_call","startedAt":"2026-06-05T14:00:00.000Z","endedAt":"2026-06-05T14:10:00.000Z","durationSec":600,"scoredAt":"2026-06-05T14:11:00.000Z"}],"nextCursor":null}
        """);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task AnswerAsync(HttpContext context, byte[] body)
    {
        Interlocked.Increment(ref _requests);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = DeclaredLength ?? body.Length;
        context.Response.Headers["X-Athos-Request-Id"] = $"req_{Guid.NewGuid()}";
        if (Interlocked.Decrement(ref _stallsLeft) < 0)
        {
            await context.Response.Body.WriteAsync(body);
            return;
        }

        await context.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2));
        await context.Response.Body.FlushAsync();
        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            Interlocked.Increment(ref _abandoned);
        }
        catch (OperationCanceledException)
        {
            // The server is stopping.
        }

        context.Abort();
    }
}
