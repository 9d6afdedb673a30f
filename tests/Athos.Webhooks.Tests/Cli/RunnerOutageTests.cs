using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Tests.Infrastructure;
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
        var settings = TestApp.SettingsFor(simulator, azurite);
        settings["ATHOS_RECONCILE_SCHEDULE"] = "*/2 * * * * *";
        await using var runner = LocalRunner.Build("http://127.0.0.1:0", settings, logging => logging.ClearProviders());
        await runner.StartAsync(TestContext.Current.CancellationToken);
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
}
