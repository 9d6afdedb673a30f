using System.Text;
using System.Text.Json;
using Athos.Simulator;
using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;

namespace Athos.Webhooks.Tests.Telemetry;

/// <summary>The local runner exports through the same telemetry composition as the Functions app, when told where.</summary>
public sealed class RunnerTelemetryTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task With_a_connection_string_the_local_runner_exports_its_events_and_the_same_instruments()
    {
        await storage.ResetAsync();
        var ct = TestContext.Current.CancellationToken;
        await using var ingestion = await FakeIngestion.StartAsync();
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 5151 }, cancellationToken: ct);
        var settings = StackSettings.For(simulator, storage.Azurite);
        settings["APPLICATIONINSIGHTS_CONNECTION_STRING"] = ingestion.ConnectionString;
        await using (var runner = LocalRunner.Build("http://127.0.0.1:0", settings, logging => logging.ClearProviders()))
        {
            await runner.StartAsync(ct);
            using var http = new HttpClient();
            using var forged = new StringContent("{}", Encoding.UTF8, "application/json");
            Assert.Equal(401, (int)(await http.PostAsync(LocalRunner.WebhookUrl(runner), forged, ct)).StatusCode);
            runner.Services.GetRequiredService<LoggerProvider>().ForceFlush();
            runner.Services.GetRequiredService<MeterProvider>().ForceFlush();
            await runner.StopAsync(ct);
        }

        var items = await ingestion.WaitForAsync(
            all => all.Any(i => EventId(i) == "5001") && all.Any(i => Metric(i) == AthosMetrics.Names.Deliveries),
            TimeSpan.FromSeconds(30));

        // The worker's start (Information, the runner's own category) and the refused delivery's count.
        Assert.Contains(items, i => i.GetProperty("name").GetString() == "Message" && EventId(i) == "5001");
        Assert.Contains(items, i => Metric(i) == AthosMetrics.Names.Deliveries && i.GetRawText().Contains("\"missing_signature\"", StringComparison.Ordinal));
    }

    private static string? EventId(JsonElement item) =>
        item.GetProperty("data").GetProperty("baseData").TryGetProperty("properties", out var p) && p.TryGetProperty("EventId", out var id) ? id.GetString() : null;

    private static string? Metric(JsonElement item) =>
        item.GetProperty("name").GetString() == "Metric" ? item.GetProperty("data").GetProperty("baseData").GetProperty("metrics")[0].GetProperty("name").GetString() : null;
}
