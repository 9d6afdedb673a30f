using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Athos.Simulator;
using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Functions;
using Athos.Webhooks.Health;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Tests.Functions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Athos.Webhooks.Tests.Hosting;

/// <summary>
/// The Functions app and the local runner behave alike where an operator or Athos could tell them apart: the HTTP routes
/// and their protection, what a failed reconcile does, and which logs leave the process.
/// </summary>
public sealed class HostParityTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task The_runner_maps_every_HTTP_route_the_Functions_app_declares_with_the_same_protection()
    {
        // From the [Function]/[HttpTrigger] attributes, as the Functions host reads them: the host prefixes "api/".
        var declared = typeof(FunctionsAppComposition).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null)
            .SelectMany(m => m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).OfType<HttpTriggerAttribute>())
            .SelectMany(t => (t.Methods ?? []).Select(method => new HttpRoute("api/" + t.Route, method.ToUpperInvariant(), Key: t.AuthLevel switch
            {
                AuthorizationLevel.Anonymous => "none",
                AuthorizationLevel.Function => "function",
                _ => "admin",
            })))
            .Order()
            .ToList();

        await using var runner = LocalRunner.Build("http://127.0.0.1:0", StackSettings.For(null, null), logging => logging.ClearProviders());
        var mapped = ((IEndpointRouteBuilder)runner).DataSources
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .SelectMany(e => e.Metadata.GetRequiredMetadata<HttpMethodMetadata>().HttpMethods.Select(method => new HttpRoute(
                e.RoutePattern.RawText!.Trim('/'),
                method,
                Key: e.Metadata.GetMetadata<AdminKeyRequired>()?.Level switch
                {
                    null => "none",
                    KeyLevel.Function => "function",
                    _ => "admin",
                })))
            .Order()
            .ToList();

        Assert.Contains(new HttpRoute("api/athos/backfill", "POST", Key: "admin"), declared);
        Assert.Contains(new HttpRoute("api/athos/health", "GET", Key: "function"), declared);
        Assert.Equal(declared, mapped);
    }

    [Fact]
    public async Task The_runner_schedules_every_timer_the_Functions_app_declares_each_with_its_own_scheduler()
    {
        var timers = typeof(FunctionsAppComposition).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Where(m => m.GetParameters().Any(p => p.GetCustomAttribute<TimerTriggerAttribute>() is not null))
            .Select(m => m.GetCustomAttribute<FunctionAttribute>()!.Name.ToLowerInvariant())
            .ToList();

        await using var runner = LocalRunner.Build("http://127.0.0.1:0", StackSettings.For(null, null), logging => logging.ClearProviders());
        var scheduled = runner.Services.GetServices<IHostedService>().OfType<CronScheduler>().Select(s => s.Name).Order().ToList();

        // The runner sweeps the poison queue on a timer where the Functions app has a queue trigger.
        Assert.Equal(["export", "housekeeping", "poison sweep", "reconcile", "rescan", "roster sync"], scheduled);
        Assert.Equal(["export", "housekeeping", "reconcile", "rescan", "rostersync"], timers.Order());
    }

    [Fact]
    public async Task A_failed_reconcile_is_thrown_recorded_and_shown_by_health_alike_in_both_hosts()
    {
        await storage.ResetAsync();
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 131, FailureRate = 0 }, cancellationToken: TestContext.Current.CancellationToken);
        simulator.Faults.Add(r => r.Operation == ApiOperation.List, new FaultResponse(401, "API_KEY_REVOKED"));
        var settings = StackSettings.For(simulator, storage.Azurite);

        // Functions: the invocation fails, so that the platform records a failed run.
        WebhookRequests.Answer functionsHealth;
        using (var app = await FunctionsApp.BuildAsync(settings))
        {
            var error = await Assert.ThrowsAsync<ReconcileFailedException>(() => app.Function<ReconcileFunction>().RunAsync(new TimerInfo(), TestContext.Current.CancellationToken));
            Assert.Contains("API_KEY_REVOKED", error.Message, StringComparison.Ordinal);
            var probe = new DefaultHttpContext { Response = { Body = new MemoryStream() } }.Request;
            functionsHealth = await WebhookRequests.ExecuteAsync(await app.Function<HealthFunction>().RunAsync(probe, TestContext.Current.CancellationToken), probe);
        }

        // The runner: the same exception is a failed occurrence (5103, a warning: the run logged the error), and its scheduler runs the next one.
        await storage.ResetAsync();
        settings[ReconcileOptions.ScheduleSetting] = "* * * * * *";
        await using var runner = LocalRunner.Build("http://127.0.0.1:0", settings, logging => logging.ClearProviders().AddFakeLogging());
        await runner.StartAsync(TestContext.Current.CancellationToken);
        var collector = runner.Services.GetFakeLogCollector();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (FailedOccurrences(collector) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.True(FailedOccurrences(collector) >= 2, "the runner logged two failed reconcile occurrences and kept running");
        // One Error per failure: the run's own (4002, with Athos's answer); the scheduler only notes the occurrence.
        Assert.DoesNotContain(collector.GetSnapshot(), r => r.Id.Id == 5102);
        Assert.True(collector.GetSnapshot().Count(r => r.Id.Id == LogEvents.ReconcileFailed && r.Level == LogLevel.Error) >= 2, "each failed run logged its error once");
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(LocalRunner.WebhookUrl(runner), HealthHttpEndpoint.Path + "?code=" + runner.Services.GetRequiredService<RunnerKeys>().Function), TestContext.Current.CancellationToken);
        var runnerHealth = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        // Both recorded the run in AthosState, and both health answers say so: unhealthy, the last run failed, why.
        foreach (var (status, body) in new[] { (functionsHealth.Status, functionsHealth.Body), ((int)response.StatusCode, runnerHealth) })
        {
            Assert.Equal(503, status);
            Assert.Equal("unhealthy", body.GetProperty("status").GetString());
            Assert.Equal("failed", body.GetProperty("reconcile").GetProperty("lastRunStatus").GetString());
            Assert.Contains("API_KEY_REVOKED", body.GetProperty("reconcile").GetProperty("lastRunError").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Both_hosts_keep_the_Azure_SDKs_information_logs_out_and_its_warnings_in()
    {
        var settings = StackSettings.For(null, null);
        using var functions = await FunctionsApp.BuildAsync(settings, services => services.AddFakeLogging());
        await using var runner = LocalRunner.Build("http://127.0.0.1:0", settings, logging => logging.ClearProviders().AddFakeLogging());

        foreach (var services in new[] { functions.Services, runner.Services })
        {
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Azure.Core");
            logger.LogInformation("Request [1] GET https://account.table.core.windows.net/");
            logger.LogWarning("Request [2] failed");

            Assert.Equal(["Request [2] failed"], services.GetFakeLogCollector().GetSnapshot().Where(r => r.Category == "Azure.Core").Select(r => r.Message));
        }
    }

    private static int FailedOccurrences(FakeLogCollector collector) =>
        collector.GetSnapshot().Count(r => r.Id.Id == 5103 && r.Level == LogLevel.Warning && r.Exception is null);

    private sealed record HttpRoute(string Route, string Method, string Key) : IComparable<HttpRoute>
    {
        public int CompareTo(HttpRoute? other) => string.CompareOrdinal($"{Route} {Method}", $"{other?.Route} {other?.Method}");
    }
}
