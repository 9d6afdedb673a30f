using System.Net.Http.Json;
using System.Text.Json;
using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Cli.Commands;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Functions;
using Athos.Webhooks.Health;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Tests.Functions;
using Athos.Webhooks.WorkItems;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Tests.Health;

/// <summary>
/// <c>GET /api/athos/health</c> on both hosts and <c>athos-webhooks status</c>, each verdict driven by a real state of
/// storage and Athos: all stored (healthy, exit 0), calls missing and items parked (degraded, exit 1), no successful
/// reconcile in three intervals (503), storage or Athos unreachable (503, exit 3).
/// </summary>
public sealed class PipelineHealthTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private AthosSimulator _simulator = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 303, FailureRate = 0 });
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Everything_stored_and_reconciled_is_healthy_on_both_hosts_and_status_exits_0()
    {
        var now = DateTimeOffset.UtcNow;
        _simulator.AddCalls(6, now.AddHours(-5), now.AddHours(-2));
        await using (var app = await TestApp.StartAsync(Settings()))
        {
            await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
            await QueueDrainer.DrainAsync(app, new TestQueues(storage.ConnectionString));
            Assert.Equal(ReconcileOutcome.Succeeded, (await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken)).Status);
        }

        var (functions, runner) = await BothHostsAsync();
        var (exit, output, _) = await StatusAsync(Settings(), OutputFormat.Json);

        Assert.Equal(new { Status = 200, Health = (string?)HealthStatus.Healthy }, new { functions.Status, Health = functions.Body.GetProperty("status").GetString() });
        Assert.Equal(Comparable(functions.Body), Comparable(runner.Body));
        Assert.Equal(200, runner.Status);
        Assert.Equal(ExitCodes.Ok, exit);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal("healthy", json.GetProperty("status").GetString());
        Assert.Equal(new { Listed = 6, Current = 6, Missing = 0, Stale = 0 }, new { Listed = json.GetProperty("completeness").GetProperty("listed").GetInt32(), Current = json.GetProperty("completeness").GetProperty("current").GetInt32(), Missing = json.GetProperty("completeness").GetProperty("missing").GetInt32(), Stale = json.GetProperty("completeness").GetProperty("stale").GetInt32() });
        Assert.Equal("succeeded", json.GetProperty("reconcile").GetProperty("lastRunStatus").GetString());
        Assert.Contains("succeeded", json.GetProperty("reconcile").GetProperty("sources").EnumerateArray().Select(source => source.GetProperty("status").GetString()));
        Assert.Equal(0, json.GetProperty("parked").GetInt32());
        Assert.Equal(6, json.GetProperty("freshness").GetProperty("rows").GetInt32());
    }

    [Fact]
    public async Task Under_the_current_contract_status_checks_roleplay_and_real_calls_and_exits_0_when_both_are_stored()
    {
        await using var current = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 304, FailureRate = 0, Contract = Athos.Simulator.AthosContract.Current, RealCallRate = 0.5 }, cancellationToken: TestContext.Current.CancellationToken);
        var now = DateTimeOffset.UtcNow;
        current.AddCalls(8, now.AddHours(-5), now.AddHours(-2));
        var settings = StackSettings.For(current, storage.Azurite);
        await using (var app = await TestApp.StartAsync(settings))
        {
            await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
            await QueueDrainer.DrainAsync(app, new TestQueues(storage.ConnectionString));
            Assert.Equal(ReconcileOutcome.Succeeded, (await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken)).Status);
        }

        var (exit, output, _) = await StatusAsync(settings, OutputFormat.Json);

        Assert.Equal(ExitCodes.Ok, exit);
        var completeness = JsonDocument.Parse(output).RootElement.GetProperty("completeness");
        Assert.Equal(new { Listed = 8, Current = 8 }, new { Listed = completeness.GetProperty("listed").GetInt32(), Current = completeness.GetProperty("current").GetInt32() });
        var sources = completeness.GetProperty("sources").EnumerateArray().ToDictionary(s => s.GetProperty("source").GetString()!, s => (Listed: s.GetProperty("listed").GetInt32(), Current: s.GetProperty("current").GetInt32()));
        Assert.Equal(["real_call", "roleplay"], sources.Keys.Order());
        Assert.All(sources.Values, s => Assert.True(s.Listed > 0 && s.Listed == s.Current, $"{s.Listed} listed, {s.Current} current"));
    }

    [Fact]
    public async Task Missing_calls_and_a_parked_item_are_degraded_named_by_status_with_exit_1_and_200_degraded_on_both_hosts()
    {
        var now = DateTimeOffset.UtcNow;
        var calls = _simulator.AddCalls(3, now.AddHours(-3), now.AddHours(-2));
        await using (var app = await TestApp.StartAsync(Settings()))
        {
            // The reconciler queues them, and nothing processes the queue: missing, but known to be on their way.
            await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
            var body = WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Webhook, CallId = CallId.Parse(calls[0].Id) });
            await app.Get<ParkedWork>().ParkAsync(body, null, "msg-parked", 5, ParkReason.AthosRefused, "Athos answered 401", null, TestContext.Current.CancellationToken);
        }

        var (exit, output, _) = await StatusAsync(Settings(), OutputFormat.Table);
        var (_, json, _) = await StatusAsync(Settings(), OutputFormat.Json);
        var (functions, runner) = await BothHostsAsync();

        Assert.Equal(new { Status = 200, Health = (string?)HealthStatus.Degraded }, new { functions.Status, Health = functions.Body.GetProperty("status").GetString() });
        Assert.Equal(Comparable(functions.Body), Comparable(runner.Body));
        Assert.Contains(functions.Body.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.Contains("1 work items parked", StringComparison.Ordinal));
        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("DEGRADED", output, StringComparison.Ordinal);
        Assert.All(calls, c => Assert.Contains(c.Id, output, StringComparison.Ordinal));
        var incomplete = JsonDocument.Parse(json).RootElement.GetProperty("completeness").GetProperty("incomplete").EnumerateArray().ToList();
        Assert.Equal(calls.Select(c => c.Id).Order(), incomplete.Select(i => i.GetProperty("callId").GetString()).Order());
        Assert.All(incomplete, i => Assert.Equal(new { Kind = (string?)"missing", Queued = true }, new { Kind = i.GetProperty("kind").GetString(), Queued = i.GetProperty("queued").GetBoolean() }));
    }

    [Fact]
    public async Task No_successful_reconcile_in_three_intervals_is_503_unhealthy_and_status_exits_1()
    {
        var now = DateTimeOffset.UtcNow;
        await using (var app = await TestApp.StartAsync(Settings()))
        {
            // Succeeded two hours ago; failing since (the default schedule runs every 10 minutes).
            var store = app.Get<ReconcileStateStore>();
            await store.SaveRunAsync(new ReconcileRun { Status = ReconcileOutcome.Succeeded, StartedAt = now.AddHours(-2), EndedAt = now.AddHours(-2) }, TestContext.Current.CancellationToken);
            _simulator.Faults.Add(r => r.Operation == ApiOperation.List, new FaultResponse(401, "INVALID_API_KEY"));
            Assert.Equal(ReconcileOutcome.Failed, (await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken)).Status);
            _simulator.Faults.Clear();
        }

        var (functions, runner) = await BothHostsAsync();
        var (exit, output, _) = await StatusAsync(Settings(), OutputFormat.Table);

        Assert.Equal(new { Status = 503, Health = (string?)HealthStatus.Unhealthy }, new { functions.Status, Health = functions.Body.GetProperty("status").GetString() });
        Assert.Equal(503, runner.Status);
        Assert.Equal(Comparable(functions.Body), Comparable(runner.Body));
        Assert.Contains("no successful reconcile for 2.0 h", functions.Body.GetProperty("reasons")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("failed", functions.Body.GetProperty("reconcile").GetProperty("lastRunStatus").GetString());
        Assert.Equal(1800, functions.Body.GetProperty("reconcile").GetProperty("maxAgeSeconds").GetDouble());
        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("no successful reconcile", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_that_succeeds_after_a_failed_one_is_shown_without_the_failed_runs_error()
    {
        var now = DateTimeOffset.UtcNow;
        _simulator.AddCalls(4, now.AddHours(-3), now.AddHours(-2));
        ReconcileSummary afterFailure, afterSuccess;
        await using (var app = await TestApp.StartAsync(Settings()))
        {
            var reconciler = app.Get<Reconciler>();
            var store = app.Get<ReconcileStateStore>();
            _simulator.Faults.Add(r => r.Operation == ApiOperation.List, new FaultResponse(401, "API_KEY_REVOKED"));
            Assert.Equal(ReconcileOutcome.Failed, (await reconciler.RunAsync(TestContext.Current.CancellationToken)).Status);
            afterFailure = await store.GetSummaryAsync(TestContext.Current.CancellationToken);
            _simulator.Faults.Clear();
            Assert.Equal(ReconcileOutcome.Succeeded, (await reconciler.RunAsync(TestContext.Current.CancellationToken)).Status);
            afterSuccess = await store.GetSummaryAsync(TestContext.Current.CancellationToken);
        }

        var (functions, runner) = await BothHostsAsync();
        var (_, json, _) = await StatusAsync(Settings(), OutputFormat.Json);
        var (_, table, _) = await StatusAsync(Settings(), OutputFormat.Table);

        // The failed run was recorded whole: its error and its count of failed sources.
        Assert.Equal(new { Errors = 1, HasError = true }, new { afterFailure.LastRun!.Errors, HasError = afterFailure.LastRun.Error?.Contains("API_KEY_REVOKED", StringComparison.Ordinal) == true });
        Assert.Equal(new { Status = ReconcileOutcome.Succeeded, Errors = 0, Error = (string?)null }, new { afterSuccess.LastRun!.Status, afterSuccess.LastRun.Errors, afterSuccess.LastRun.Error });
        foreach (var body in new[] { functions.Body, runner.Body })
        {
            Assert.Equal("succeeded", body.GetProperty("reconcile").GetProperty("lastRunStatus").GetString());
            Assert.False(body.GetProperty("reconcile").TryGetProperty("lastRunError", out _), body.GetRawText());
        }

        var reconcile = JsonDocument.Parse(json).RootElement.GetProperty("reconcile");
        Assert.Equal("succeeded", reconcile.GetProperty("lastRunStatus").GetString());
        Assert.False(reconcile.TryGetProperty("error", out _), reconcile.GetRawText());
        Assert.DoesNotContain("API_KEY_REVOKED", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Storage_unreachable_is_503_and_status_cannot_tell_with_exit_3()
    {
        var settings = Settings();
        settings[StorageOptions.Setting] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;";
        using var app = await FunctionsApp.BuildAsync(settings);

        var answer = await HealthAsync(app);
        var (exit, output, _) = await StatusAsync(settings, OutputFormat.Table);

        Assert.Equal(new { Status = 503, Health = (string?)HealthStatus.Unhealthy }, new { answer.Status, Health = answer.Body.GetProperty("status").GetString() });
        Assert.StartsWith("storage", answer.Body.GetProperty("reasons")[0].GetString(), StringComparison.Ordinal);
        Assert.False(answer.Body.TryGetProperty("reconcile", out _));
        Assert.Equal(ExitCodes.CannotTell, exit);
        Assert.Contains("UNKNOWN", output, StringComparison.Ordinal);
        Assert.Contains("storage", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Athos_unreachable_leaves_status_unable_to_tell_with_exit_3_and_the_reason()
    {
        var settings = Settings();
        settings[AthosApiOptions.BaseUrlSetting] = "http://127.0.0.1:1/api/external/v1";

        var (exit, output, _) = await StatusAsync(settings, OutputFormat.Json);

        Assert.Equal(ExitCodes.CannotTell, exit);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal("unknown", json.GetProperty("status").GetString());
        Assert.StartsWith("cannot tell: Athos could not be asked", json.GetProperty("reasons")[0].GetString(), StringComparison.Ordinal);
        Assert.True(json.TryGetProperty("queue", out _), "what storage says is still shown");
    }

    [Fact]
    public async Task Status_refuses_a_malformed_since_with_exit_2()
    {
        // A bad --format is refused while parsing, as for every command (Cli/CliParsingTests).
        var (exit, output, error) = await StatusAsync(Settings(), OutputFormat.Table, "yesterday");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith("--since must be a duration back from now", error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    private Dictionary<string, string?> Settings() => StackSettings.For(_simulator, storage.Azurite);

    private static async Task<(int Exit, string Output, string Error)> StatusAsync(Dictionary<string, string?> settings, OutputFormat format, string? since = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var exit = await StatusCommand.RunAsync(configuration, output, error, since, format, TimeProvider.System, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>The Functions app's health function and the local runner's endpoint, on the same storage.</summary>
    private async Task<(WebhookRequests.Answer Functions, WebhookRequests.Answer Runner)> BothHostsAsync()
    {
        using var app = await FunctionsApp.BuildAsync(Settings());
        var functions = await HealthAsync(app);

        await using var runner = await InProcessRunner.StartAsync(Settings(), cancellationToken: TestContext.Current.CancellationToken);
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(LocalRunner.WebhookUrl(runner), HealthHttpEndpoint.Path + "?code=" + runner.Services.GetRequiredService<RunnerKeys>().Function), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return (functions, new WebhookRequests.Answer((int)response.StatusCode, body, string.Empty));
    }

    private static async Task<WebhookRequests.Answer> HealthAsync(FunctionsApp app)
    {
        var request = new DefaultHttpContext { Response = { Body = new MemoryStream() } }.Request;
        return await WebhookRequests.ExecuteAsync(await app.Function<HealthFunction>().RunAsync(request, TestContext.Current.CancellationToken), request);
    }

    /// <summary>
    /// A health answer without what changes between two probes: the time, the age, and the queue (the runner's worker
    /// starts on what the reconciler queued).
    /// </summary>
    private static string Comparable(JsonElement body)
    {
        var json = body.GetRawText();
        json = System.Text.RegularExpressions.Regex.Replace(json, @"""queue"":\{[^}]*\},?", string.Empty);
        return System.Text.RegularExpressions.Regex.Replace(json, @"""(checkedAt|ageSeconds)"":[^,}]*", string.Empty);
    }
}
