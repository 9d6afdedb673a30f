using Athos.Simulator;
using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Tests.Infrastructure;
using Athos.Webhooks.Webhooks;
using Azure.Core;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>
/// The real pipeline in one process: the local runner (Kestrel, queue worker), the simulator delivering signed
/// webhooks with faults, Azurite.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class EndToEndTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Five_hundred_calls_through_dropped_duplicated_and_failing_deliveries_all_end_stored_once_and_current()
    {
        await storage.ResetAsync();
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 77, WebhookRetryDelay = TimeSpan.FromMilliseconds(300) }, cancellationToken: TestContext.Current.CancellationToken);
        simulator.Faults.WebhookDropRate = 0.2;
        simulator.Faults.WebhookDuplicateRate = 0.1;
        simulator.Faults.ServerErrorRate = 0.05;
        simulator.Faults.ThrottleRate = 0.02;
        var settings = TestApp.SettingsFor(simulator, storage.Azurite);
        settings["ATHOS_RECONCILE_SCHEDULE"] = "0 0 0 1 1 *";
        settings["ATHOS_RECONCILE_LOOKBACK"] = "2.00:00:00";
        settings["ATHOS_HTTP_RETRY_DELAY"] = "00:00:00.100";
        var storageRequests = new StorageRequestCounter();
        await using var runner = LocalRunner.Build(
            "http://127.0.0.1:0",
            settings,
            logging => logging.ClearProviders(),
            services => services.AddAzureClients(azure => azure.ConfigureDefaults(o => o.AddPolicy(storageRequests, HttpPipelinePosition.PerCall))));
        await runner.StartAsync(TestContext.Current.CancellationToken);
        simulator.Webhooks.Target = LocalRunner.WebhookUrl(runner);

        // 500 calls scored and delivered, then 25 of them rescored (and delivered again).
        var now = DateTimeOffset.UtcNow;
        simulator.AddCalls(500, now.AddDays(-1), now.AddMinutes(-10));
        await simulator.Webhooks.WhenIdleAsync(TestContext.Current.CancellationToken);
        await RunnerDrain.WaitAsync(runner);
        var rescored = simulator.Calls.All().Where(c => c.State == CallState.Scored).Take(25).Select(c => c.Id).ToHashSet();
        foreach (var id in rescored)
        {
            simulator.Rescore(id);
        }

        await simulator.Webhooks.WhenIdleAsync(TestContext.Current.CancellationToken);
        await RunnerDrain.WaitAsync(runner);

        // One reconcile recovers exactly the calls whose latest webhook was never acknowledged: dropped by Athos, or
        // answered 503 twice (a burst can outrun the storage budget; a 503 records nothing and Athos retries once).
        var deliveries = simulator.Webhooks.Deliveries;
        var lastDelivery = deliveries.GroupBy(d => d.CallId).ToDictionary(g => g.Key, g => g.Last());
        var scored = simulator.Calls.All().Where(c => c.State == CallState.Scored).ToList();
        var expectedReconciled = scored.Where(c => !lastDelivery[c.Id].Acked).Select(c => c.Id).ToHashSet();
        var run = await runner.Services.GetRequiredService<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
        await RunnerDrain.WaitAsync(runner);

        Assert.Equal(ReconcileOutcome.Succeeded, run.Status);
        Assert.Equal(expectedReconciled.Count, run.Queued);
        Assert.InRange(run.Queued, 60, 160);

        // Every scored call is stored once, with the simulator's latest score.
        var tables = new TestTables(storage.ConnectionString);
        var rows = (await tables.QueryAsync(StorageNames.CallsTable, string.Empty)).ToDictionary(r => r.CallId);
        foreach (var call in scored)
        {
            var row = rows[call.Id];
            Assert.Equal((CallStatus.Scored, call.ScoredAt, call.OverallScore), (row.Status, row.ScoredAt, row.OverallScore));
        }

        // A failed call exists only through its webhook: stored when that was delivered, absent when dropped.
        var failed = simulator.Calls.All().Where(c => c.State == CallState.Failed).ToList();
        Assert.NotEmpty(failed);
        Assert.All(failed, call => Assert.Equal(lastDelivery[call.Id].Acked, rows.TryGetValue(call.Id, out var r) && r.Status == CallStatus.Failed));
        Assert.Equal(scored.Count + failed.Count(c => lastDelivery[c.Id].Acked), rows.Count);
        Assert.Equal(rows.Count, await tables.CountAsync(StorageNames.CallsByDayTable));

        // Counts: received, duplicates, queued, enriched; and nothing poisoned.
        var attempts = deliveries.SelectMany(d => d.Attempts.Select(a => (d.WebhookId, Attempt: a))).ToList();
        Assert.True(attempts.All(a => a.Attempt.Status is 200 or 202 or 503), "every attempt was answered 200, 202 or 503: " + string.Join(", ", attempts.GroupBy(a => a.Attempt.Status?.ToString() ?? a.Attempt.Error).Select(g => $"{g.Key} ×{g.Count()}")));
        var acked = attempts.Where(a => a.Attempt.Acked).GroupBy(a => a.WebhookId).ToDictionary(g => g.Key, g => g.Select(a => a.Attempt).ToList());
        var ledger = (await new TestTables(storage.ConnectionString).DeliveriesAsync()).ToDictionary(r => r.WebhookId);

        // Received: one ledger row per delivery id acknowledged at least once, counting every acknowledged arrival.
        Assert.Equal(acked.Keys.Order(), ledger.Keys.Order());
        Assert.All(acked, a => Assert.Equal(a.Value.Count, ledger[a.Key].Deliveries));
        Assert.All(ledger.Values, r => Assert.Equal((DeliveryStatus.Claimed, null), (r.Status, r.LastError)));

        // Duplicates: injected, each one acknowledged with one queue put and then recognised by the worker.
        Assert.True(attempts.Count(a => a.Attempt.IsDuplicate) > 20, "duplicates were injected");
        Assert.All(attempts.Where(a => a.Attempt.Acked), a => Assert.Equal(202, a.Attempt.Status));
        Assert.All(scored, call => Assert.InRange(simulator.Requests.DetailsServedFor(call.Id), 1, rescored.Contains(call.Id) ? 2 : 1));

        // Queued and enriched: one put per 202 and per reconciled call, no more; every stored score was fetched.
        var puts = storageRequests.Requests.Count(r => r.Method == "POST" && r.Uri.Port == storage.Azurite.QueuePort && r.Uri.AbsolutePath.EndsWith("/athos-calls/messages", StringComparison.Ordinal));
        Assert.Equal(attempts.Count(a => a.Attempt.Status == 202) + run.Queued, puts);
        Assert.True(simulator.Requests.DetailRequests >= rows.Count(r => r.Value.Status == CallStatus.Scored), "every stored score was fetched");
        Assert.Equal(0, (await new QueueClient(storage.ConnectionString, StorageNames.PoisonQueue).GetPropertiesAsync(TestContext.Current.CancellationToken)).Value.ApproximateMessagesCount);
    }
}
