using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>The local runner keeps running through a storage outage and resumes work when storage is back.</summary>
[Collection(HeavyTests.Name)]
public sealed class RunnerOutageTests
{
    [Fact]
    public async Task The_runner_survives_storage_going_away_and_processes_work_once_it_is_back()
    {
        await using var azurite = await AzuriteInstance.StartAsync(TestContext.Current.CancellationToken);
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 99, FailureRate = 0 }, cancellationToken: TestContext.Current.CancellationToken);
        var settings = StackSettings.For(simulator, azurite);
        settings["ATHOS_RECONCILE_SCHEDULE"] = "*/2 * * * * *";
        await using var runner = await InProcessRunner.StartAsync(settings, cancellationToken: TestContext.Current.CancellationToken);
        var lifetime = runner.Services.GetRequiredService<IHostApplicationLifetime>();

        // Storage disappears for longer than the SDK's retries, while the worker polls and the reconciler fires.
        await azurite.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(8), TestContext.Current.CancellationToken);
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the runner is still running during the outage");

        await azurite.RestartAsync(TestContext.Current.CancellationToken);
        await runner.Services.GetRequiredService<StorageInitializer>().EnsureCreatedAsync(TestContext.Current.CancellationToken);
        var call = simulator.AddCalls(1, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(-5))[0];
        await runner.Services.GetRequiredService<WorkQueue>().EnqueueAsync(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) }, TestContext.Current.CancellationToken);

        var tables = new TestTables(azurite.ConnectionString);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await tables.MainAsync(call.Id) is null)
        {
            Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the runner is still running after the outage");
            Assert.True(DateTime.UtcNow < deadline, "the call is stored within 30 seconds of storage coming back");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task The_runner_parks_a_call_Athos_refuses_on_its_last_attempt_and_stores_it_after_a_redrive()
    {
        await using var azurite = await AzuriteInstance.StartAsync(TestContext.Current.CancellationToken);
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 98, FailureRate = 0 }, cancellationToken: TestContext.Current.CancellationToken);
        var call = simulator.AddCalls(1, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddHours(-1))[0];
        simulator.Faults.Add(r => r.Operation == ApiOperation.Detail, new FaultResponse(401, "API_KEY_REVOKED"));
        var settings = StackSettings.For(simulator, azurite);
        settings["ATHOS_RECONCILE_SCHEDULE"] = "0 0 0 1 1 *";
        settings["ATHOS_RECONCILE_RESCAN_SCHEDULE"] = "0 0 0 1 1 *";
        settings["ATHOS_HTTP_MAX_RETRIES"] = "1";
        settings["ATHOS_HTTP_RETRY_DELAY"] = "00:00:00.050";

        // host.json's queue block, shrunk: two attempts 200 ms apart.
        await using var runner = LocalRunner.Build("http://127.0.0.1:0", settings, logging => logging.ClearProviders(), services => services.AddSingleton(new QueueOptions { MaxDequeueCount = 2, VisibilityTimeout = TimeSpan.FromMilliseconds(200), MaxPollingInterval = TimeSpan.FromMilliseconds(200) }));
        await runner.StartAsync(TestContext.Current.CancellationToken);
        await runner.Services.GetRequiredService<WorkQueue>().EnqueueAsync(new FetchCallWorkItem { Origin = WorkOrigin.Webhook, WebhookId = "wh_revoked", CallId = CallId.Parse(call.Id), ReceivedAt = DateTimeOffset.UtcNow }, TestContext.Current.CancellationToken);

        var parked = runner.Services.GetRequiredService<ParkedWork>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<ParkedItem> items;
        while ((items = await parked.ListAsync(TestContext.Current.CancellationToken)).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the item is parked within 30 seconds");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        var item = Assert.Single(items);
        Assert.Equal(new { Reason = ParkReason.AthosRefused, AthosStatus = (int?)401, AthosErrorCode = (string?)"API_KEY_REVOKED", CallId = (string?)call.Id }, new { item.Reason, item.AthosStatus, item.AthosErrorCode, item.CallId });

        // The key is fixed; the operator redrives; the runner stores the call.
        simulator.Faults.Clear();
        Assert.Equal(1, (await runner.Services.GetRequiredService<ParkedRedrive>().RunAsync(dryRun: false, TestContext.Current.CancellationToken)).Moved);
        var tables = new TestTables(azurite.ConnectionString);
        while (await tables.MainAsync(call.Id) is null)
        {
            Assert.True(DateTime.UtcNow < deadline.AddSeconds(30), "the redriven call is stored");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Empty(await parked.ListAsync(TestContext.Current.CancellationToken));
    }
}
