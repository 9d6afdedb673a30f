using System.IO.Compression;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>
/// Application Insights' ingestion endpoint (<c>POST /v2.1/track</c>, gzipped newline-delimited JSON), on a loopback
/// port, so that a test sees exactly what the Azure Monitor exporter sends: <c>Message</c> items land in
/// <c>AppTraces</c>, <c>Exception</c> in <c>AppExceptions</c>, <c>Metric</c> in <c>AppMetrics</c>, with their
/// <c>properties</c> as the rows' <c>Properties</c>.
/// </summary>
public sealed class FakeIngestion : IAsyncDisposable
{
    /// <summary>The workspace table each telemetry item name lands in.</summary>
    public static readonly IReadOnlyDictionary<string, string> Tables = new Dictionary<string, string>
    {
        ["Message"] = "AppTraces",
        ["Exception"] = "AppExceptions",
        ["Metric"] = "AppMetrics",
        ["Request"] = "AppRequests",
    };

    private readonly WebApplication _app;
    private readonly List<JsonElement> _items = [];

    private FakeIngestion(WebApplication app) => _app = app;

    public string ConnectionString { get; private set; } = string.Empty;

    public static async Task<FakeIngestion> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeIngestion(app);
        app.MapPost("/{**path}", async (HttpRequest request) =>
        {
            var body = request.Headers.ContentEncoding == "gzip" ? new GZipStream(request.Body, CompressionMode.Decompress) : request.Body;
            var lines = (await new StreamReader(body).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            lock (fake._items)
            {
                foreach (var line in lines)
                {
                    if (line.TrimStart().StartsWith('{'))
                    {
                        fake._items.Add(JsonDocument.Parse(line).RootElement.Clone());
                    }
                }
            }

            return Results.Json(new { itemsReceived = lines.Length, itemsAccepted = lines.Length, errors = Array.Empty<object>() });
        });
        await app.StartAsync();
        var url = app.Urls.First();
        fake.ConnectionString = $"InstrumentationKey=00000000-0000-0000-0000-00000000a7a0;IngestionEndpoint={url}/;LiveEndpoint={url}/";
        return fake;
    }

    /// <summary>The items received so far, once <paramref name="done"/> holds (or the timeout passes).</summary>
    public async Task<List<JsonElement>> WaitForAsync(Func<List<JsonElement>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            List<JsonElement> items;
            lock (_items)
            {
                items = [.. _items];
            }

            if (done(items) || DateTime.UtcNow > deadline)
            {
                return items;
            }

            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
