using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Changes;
using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Tests.Changes;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>
/// The change feed end to end: the local runner stores 300 calls (webhooks dropped and duplicated, the reconciler
/// behind them), then rescores, failures later scored, and every call fetched again; a consumer reads the feed
/// meanwhile, page by page, saving its checkpoint after each, and is restarted twice from the saved checkpoint alone.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class ChangeFeedEndToEndTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    /// <summary>
    /// The consumer's margin here. Every writer is in this process, on this clock, and appends within moments of its
    /// stamp; the 5-minute margin covers instances and clocks apart (ChangeFeedConcurrencyTests proves it).
    /// </summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Three_hundred_calls_with_rescores_and_failures_later_scored_reach_a_restarted_consumer_once_each_in_order_and_duplicates_never()
    {
        await storage.ResetAsync();
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 1515, FailureRate = 0.06, WebhookRetryDelay = TimeSpan.FromMilliseconds(300) }, cancellationToken: TestContext.Current.CancellationToken);
        simulator.Faults.WebhookDropRate = 0.1;
        simulator.Faults.WebhookDuplicateRate = 0.15;
        var settings = StackSettings.For(simulator, storage.Azurite);
        settings["ATHOS_RECONCILE_SCHEDULE"] = "0 0 0 1 1 *";
        settings["ATHOS_RECONCILE_RESCAN_SCHEDULE"] = "0 0 0 1 1 *";
        settings["ATHOS_RECONCILE_LOOKBACK"] = "2.00:00:00";
        settings["ATHOS_HTTP_RETRY_DELAY"] = "00:00:00.100";
        await using var runner = await InProcessRunner.StartAsync(settings, cancellationToken: TestContext.Current.CancellationToken);
        simulator.Webhooks.Target = LocalRunner.WebhookUrl(runner);
        var consumer = new Consumer(storage.ConnectionString);
        consumer.Start();
        var tables = new TestTables(storage.ConnectionString);
        var snapshots = new List<Dictionary<string, CallRow>>();

        // 1. 300 calls scored (a few fail), their webhooks partly dropped and duplicated; the reconciler finds the rest.
        var now = DateTimeOffset.UtcNow;
        simulator.AddCalls(300, now.AddDays(-1), now.AddMinutes(-10));
        await SettleAsync(simulator, runner, reconcile: true);
        snapshots.Add(await SnapshotAsync(tables));
        await consumer.RestartAsync();

        // 2. 40 calls rescored, and every failed call scored after all.
        var scored = simulator.Calls.All().Where(c => c.State == CallState.Scored).ToList();
        var failed = simulator.Calls.All().Where(c => c.State == CallState.Failed).ToList();
        Assert.NotEmpty(failed);
        foreach (var call in scored.Take(40))
        {
            simulator.Rescore(call.Id);
        }

        foreach (var call in failed)
        {
            simulator.Rescore(call.Id);
        }

        await SettleAsync(simulator, runner, reconcile: true);
        snapshots.Add(await SnapshotAsync(tables));
        await consumer.RestartAsync();

        // 3. 20 of them rescored again, then every stored call fetched once more (a duplicate of its version).
        foreach (var call in scored.Skip(20).Take(20))
        {
            simulator.Rescore(call.Id);
        }

        await SettleAsync(simulator, runner, reconcile: false);
        snapshots.Add(await SnapshotAsync(tables));
        var queue = runner.Services.GetRequiredService<WorkQueue>();
        foreach (var callId in snapshots[^1].Keys)
        {
            await queue.EnqueueAsync(new FetchCallWorkItem { Origin = WorkOrigin.Redrive, CallId = CallId.Parse(callId) }, TestContext.Current.CancellationToken);
        }

        await RunnerDrain.WaitAsync(runner);
        Assert.Equal(snapshots[^1].Values.Select(Version), (await SnapshotAsync(tables)).Values.Select(Version));
        var writesDone = DateTimeOffset.UtcNow;
        await consumer.WaitUntilPastAsync(writesDone);
        await consumer.StopAsync();

        // Expected: one change per version each snapshot shows, of the kind its predecessor implies.
        var expected = new Dictionary<string, List<(CallChangeKind, string, DateTimeOffset?)>>();
        foreach (var snapshot in snapshots)
        {
            foreach (var (callId, row) in snapshot)
            {
                var versions = expected.TryGetValue(callId, out var list) ? list : expected[callId] = [];
                if (versions.Count > 0 && versions[^1].Item2 == row.Status && versions[^1].Item3 == (row.ScoredAt ?? row.FailedAt))
                {
                    continue;
                }

                var kind = row.Status == CallStatus.Failed ? CallChangeKind.Failed
                    : versions.Count == 0 ? CallChangeKind.Created
                    : versions[^1].Item2 == CallStatus.Failed ? CallChangeKind.ScoredAfterFailure
                    : CallChangeKind.Rescored;
                versions.Add((kind, row.Status, row.ScoredAt ?? row.FailedAt));
            }
        }

        var seen = consumer.Log.GroupBy(c => c.CallId).ToDictionary(g => g.Key, g => g.Select(c => (c.Kind, c.Status, c.Kind == CallChangeKind.Failed ? FailedAt(snapshots, c.CallId) : c.ScoredAt)).ToList());
        Assert.Equal(expected.Keys.Order(), seen.Keys.Order());
        Assert.All(expected, e => Assert.Equal(e.Value, seen[e.Key]));
        Assert.Contains(expected.Values, v => v.Select(x => x.Item1).SequenceEqual([CallChangeKind.Failed, CallChangeKind.ScoredAfterFailure]));
        Assert.True(expected.Values.Count(v => v.Any(x => x.Item1 == CallChangeKind.Rescored)) >= 40, "rescores were logged");
        Assert.InRange(expected.Count, 290, 300);

        // Exactly once and in write order: the checkpoints strictly increase, and the table holds nothing else.
        var checkpoints = consumer.Log.Select(c => c.Checkpoint).ToList();
        Assert.True(checkpoints.Zip(checkpoints.Skip(1)).All(p => string.CompareOrdinal(p.First, p.Second) < 0), "each change once, in write order");
        var rows = await TestCalls.ChangeRowsAsync(storage.ConnectionString);
        Assert.Equal(rows.Where(r => r.ChangeKind != ChangeKinds.Void).Select(r => r.RowKey), checkpoints);
        Assert.Equal(3, consumer.Instances);
        Assert.True(simulator.Webhooks.Deliveries.Sum(d => d.Attempts.Count(a => a.IsDuplicate)) > 10, "duplicate webhooks were delivered");
    }

    private static async Task SettleAsync(AthosSimulator simulator, WebApplication runner, bool reconcile)
    {
        await simulator.Webhooks.WhenIdleAsync(TestContext.Current.CancellationToken);
        await RunnerDrain.WaitAsync(runner);
        if (reconcile)
        {
            Assert.NotEqual(ReconcileOutcome.Failed, (await runner.Services.GetRequiredService<Reconciler>().RunAsync(TestContext.Current.CancellationToken)).Status);
            await RunnerDrain.WaitAsync(runner);
        }

        // A webhook refused twice (a burst can outrun the storage budget) is what the daily rescan is for: played here.
        var queue = runner.Services.GetRequiredService<WorkQueue>();
        var rows = new TableClient(runner.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["AzureWebJobsStorage"], StorageNames.CallsTable);
        foreach (var call in simulator.Calls.All().Where(c => c.State == CallState.Scored))
        {
            var row = await rows.GetEntityIfExistsAsync<CallRow>(call.Id, string.Empty, cancellationToken: TestContext.Current.CancellationToken);
            if (!row.HasValue || row.Value!.ScoredAt != call.ScoredAt)
            {
                await queue.EnqueueAsync(new FetchCallWorkItem { Origin = WorkOrigin.Redrive, CallId = CallId.Parse(call.Id) }, TestContext.Current.CancellationToken);
            }
        }

        await RunnerDrain.WaitAsync(runner);
    }

    private static async Task<Dictionary<string, CallRow>> SnapshotAsync(TestTables tables) =>
        (await tables.QueryAsync(StorageNames.CallsTable, string.Empty)).ToDictionary(r => r.CallId);

    private static (string, DateTimeOffset?, DateTimeOffset?) Version(CallRow row) => (row.Status, row.ScoredAt, row.FailedAt);

    private static DateTimeOffset? FailedAt(List<Dictionary<string, CallRow>> snapshots, string callId) =>
        snapshots.Select(s => s.GetValueOrDefault(callId)).First(r => r?.Status == CallStatus.Failed)!.FailedAt;

    /// <summary>
    /// A sync job: reads a page, processes it (here: keeps it), saves the checkpoint, and goes on; a restart keeps
    /// only the saved checkpoint.
    /// </summary>
    private sealed class Consumer(string connectionString)
    {
        private const int PageSize = 25;

        private string? _saved;
        private volatile bool _stopping;
        private Task? _loop;

        public List<CallChange> Log { get; } = [];

        public int Instances { get; private set; }

        public void Start()
        {
            Instances++;
            var feed = new CallChangeFeed(new TableServiceClient(connectionString), ChangeFeedOptions.DefaultRetention, TimeProvider.System, Margin);
            _stopping = false;
            _loop = Task.Run(async () =>
            {
                while (!_stopping)
                {
                    var page = await feed.ReadChangesAsync(_saved, PageSize, CancellationToken.None);
                    lock (Log)
                    {
                        Log.AddRange(page.Changes);
                    }

                    _saved = page.Checkpoint;
                    if (!page.HasMore)
                    {
                        await Task.Delay(250, CancellationToken.None);
                    }
                }
            });
        }

        public async Task StopAsync()
        {
            _stopping = true;
            await _loop!;
        }

        public async Task RestartAsync()
        {
            await StopAsync();
            Start();
        }

        /// <summary>Waits until the consumer has read everything stored before <paramref name="time"/>.</summary>
        public async Task WaitUntilPastAsync(DateTimeOffset time)
        {
            var target = CallChangeFeed.CheckpointAt(time);
            var deadline = DateTime.UtcNow + Margin + TimeSpan.FromMinutes(1);
            while (_saved is null || string.CompareOrdinal(_saved, target) < 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the consumer caught up");
                Assert.False(_loop!.IsFaulted, _loop.Exception?.ToString());
                await Task.Delay(250);
            }
        }
    }
}
