using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Storage.Queues;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>The real <c>athos-webhooks serve</c> process, killed in the middle of a drain and started again.</summary>
[Collection(HeavyTests.Name)]
public sealed class RunnerRestartTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Killing_the_runner_mid_drain_and_starting_it_again_loses_no_call()
    {
        await storage.ResetAsync();
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 88, FailureRate = 0 }, cancellationToken: TestContext.Current.CancellationToken);
        simulator.Faults.Latency = TimeSpan.FromMilliseconds(250);
        var calls = simulator.AddCalls(300, DateTimeOffset.UtcNow.AddHours(-5), DateTimeOffset.UtcNow.AddMinutes(-5));
        await using (var app = await TestApp.StartAsync(StackSettings.For(simulator, storage.Azurite)))
        {
            foreach (var call in calls)
            {
                await app.Get<WorkQueue>().EnqueueAsync(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) }, TestContext.Current.CancellationToken);
            }
        }

        var tables = new TestTables(storage.ConnectionString);
        using (var first = StartRunner(simulator))
        {
            await WaitUntilAsync(async () => await tables.CountAsync(StorageNames.CallsTable) >= 60, first);
            await first.KillAsync();
        }

        var storedAtKill = await tables.CountAsync(StorageNames.CallsTable);
        using (var second = StartRunner(simulator))
        {
            await WaitUntilAsync(async () => await tables.CountAsync(StorageNames.CallsTable) == calls.Count, second);
        }

        Assert.InRange(storedAtKill, 60, calls.Count - 1);
        Assert.Equal(calls.Select(c => c.Id).Order(), (await tables.QueryAsync(StorageNames.CallsTable, string.Empty)).Select(r => r.CallId).Order());
        Assert.Equal(0, (await new QueueClient(storage.ConnectionString, StorageNames.PoisonQueue).GetPropertiesAsync(TestContext.Current.CancellationToken)).Value.ApproximateMessagesCount);
    }

    private RunnerProcess StartRunner(AthosSimulator simulator)
    {
        var settings = StackSettings.For(simulator, storage.Azurite);

        // A killed runner's messages come back after this lease, not after the default minute.
        settings["ATHOS_RUNNER_MESSAGE_LEASE"] = "00:00:04";
        settings["ATHOS_RECONCILE_SCHEDULE"] = "0 0 0 1 1 *";
        settings["ATHOS_RECONCILE_RESCAN_SCHEDULE"] = "0 0 0 1 1 *";
        return RunnerProcess.Start(settings);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, RunnerProcess runner)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!await condition())
        {
            Assert.False(runner.HasExited, $"the runner exited with {(runner.HasExited ? runner.ExitCode : 0)}:\n{runner.Tail}");
            Assert.True(DateTime.UtcNow < deadline, "the condition holds within two minutes");
            await Task.Delay(100);
        }
    }
}
