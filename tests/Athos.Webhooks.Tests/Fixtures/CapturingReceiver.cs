using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>A bare HTTP endpoint on loopback that records each request's raw bytes and headers, and answers as told.</summary>
public sealed class CapturingReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CapturingReceiver(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public ConcurrentQueue<CapturedRequest> Requests { get; } = new();

    /// <summary>How to answer the nth request (1-based); 200 by default.</summary>
    public Func<int, Task<int>> Answer { get; set; } = _ => Task.FromResult(200);

    public static async Task<CapturingReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new CapturingReceiver(app);
        var count = 0;
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            receiver.Requests.Enqueue(new CapturedRequest(body.ToArray(), headers, DateTimeOffset.UtcNow));
            context.Response.StatusCode = await receiver.Answer(Interlocked.Increment(ref count));
        });
        await app.StartAsync();
        receiver.Url = LoopbackAddress.Of(app.Services.GetRequiredService<IServer>(), "/hook");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record CapturedRequest(byte[] Body, IReadOnlyDictionary<string, string> Headers, DateTimeOffset ReceivedAt);
