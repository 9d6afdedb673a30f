using Athos.Simulator;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Tests.Fixtures;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Tests.Reconciliation;

/// <summary>
/// The reconcile run log: a row per run with its start, end, host and outcome, which is what lets the multi-instance
/// soak check that no two runs ever overlapped. The check must be able to fail: runs that do overlap are recorded so.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class ReconcileRunLogTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private AthosSimulator _simulator = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 46, FailureRate = 0 });
        _simulator.AddCalls(20, DateTimeOffset.UtcNow.AddHours(-5), DateTimeOffset.UtcNow);
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Runs_taking_turns_are_each_recorded_with_their_host_outcome_and_sources_and_none_overlaps()
    {
        var since = DateTimeOffset.UtcNow;
        await using var app = await StartAppAsync();

        var first = await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
        var second = await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
        var runs = await app.Get<ReconcileRunLog>().ReadAsync(since, TestContext.Current.CancellationToken);

        Assert.Equal([ReconcileOutcome.Succeeded, ReconcileOutcome.Succeeded], [first.Status, second.Status]);
        Assert.Equal(2, runs.Count);
        // The simulator speaks the early contract: roleplay is the one source listed.
        Assert.All(runs, run => Assert.Equal(new { InstanceId = ReconcileRunOverlaps.InstanceOf(Environment.ProcessId), Status = (string?)"Succeeded", Sources = (string?)"roleplay" }, new { run.InstanceId, run.Status, run.Sources }));
        Assert.Equal([first.EndedAt, second.EndedAt], runs.Select(r => r.EndedAt));
        Assert.Empty(ReconcileRunOverlaps.Find(runs, new Dictionary<string, DateTimeOffset>(), DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task Two_hosts_whose_lock_is_bypassed_are_recorded_as_running_at_once()
    {
        var since = DateTimeOffset.UtcNow;
        await using var elsewhere = await AzuriteInstance.StartAsync(TestContext.Current.CancellationToken);
        var otherLocks = new BlobServiceClient(elsewhere.ConnectionString);
        await otherLocks.GetBlobContainerClient(StorageNames.LocksContainer).CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using var host = await StartAppAsync();
        // The second host takes its lease on another account: the lock no longer keeps the two apart.
        await using var bypassing = await StartAppAsync(services => services.AddSingleton(new LeaseLock(otherLocks, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<LeaseLock>.Instance)));
        var log = host.Get<ReconcileRunLog>();

        // Athos holds every request until both runs are on record as started, so the first is still running when the
        // second starts, however slow the machine.
        using var bothStarted = new ManualResetEventSlim();
        _simulator.Faults.Add(_ => !bothStarted.Wait(TimeSpan.FromMinutes(1)), FaultResponse.ServiceUnavailable);
        var first = host.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
        await WaitForRunsAsync(log, since, 1);
        var second = bypassing.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
        await WaitForRunsAsync(log, since, 2);
        bothStarted.Set();
        var outcomes = await Task.WhenAll(first, second);
        var runs = await log.ReadAsync(since, TestContext.Current.CancellationToken);

        Assert.Equal([ReconcileOutcome.Succeeded, ReconcileOutcome.Succeeded], outcomes.Select(r => r.Status));
        Assert.All(runs, run => Assert.NotNull(run.EndedAt));
        Assert.Single(ReconcileRunOverlaps.Find(runs, new Dictionary<string, DateTimeOffset>(), DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task A_run_that_ends_while_storage_is_away_has_its_end_recorded_when_the_next_run_starts()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Directory.CreateTempSubdirectory("athos-run-log-");
        try
        {
            await using var azurite = await AzuriteInstance.StartPersistentAsync(data.FullName, ct);
            var tables = new TableServiceClient(azurite.ConnectionString, new TableClientOptions { Retry = { MaxRetries = 0 } });
            await tables.CreateTableIfNotExistsAsync(StorageNames.StateTable, ct);
            var log = new ReconcileRunLog(tables);
            var startedAt = DateTimeOffset.UtcNow;
            var run = await log.StartAsync(startedAt, ct);

            await azurite.ShutDownAsync();
            var endedAt = DateTimeOffset.UtcNow;
            await log.EndAsync(run, new ReconcileRun { Status = ReconcileOutcome.Failed, StartedAt = startedAt, EndedAt = endedAt }, ct);
            await azurite.RestartAsync(ct);
            await log.StartAsync(DateTimeOffset.UtcNow, ct);

            var ended = (await log.ReadAsync(startedAt, ct))[0];
            Assert.Equal(new { EndedAt = (DateTimeOffset?)endedAt, Status = (string?)"Failed" }, new { ended.EndedAt, ended.Status });
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_run_without_an_end_counts_until_its_host_was_killed()
    {
        var now = DateTimeOffset.UtcNow;
        var log = new ReconcileRunLog(new TableServiceClient(storage.ConnectionString));
        var died = await log.StartAsync(now.AddMinutes(-3), TestContext.Current.CancellationToken);
        died.InstanceId = "host-a/1";
        await new TableClient(storage.ConnectionString, StorageNames.StateTable).UpdateEntityAsync(died, Azure.ETag.All, TableUpdateMode.Replace, TestContext.Current.CancellationToken);
        var later = new ReconcileRunRow { InstanceId = "host-b/2", StartedAt = now.AddMinutes(-1), EndedAt = now };
        var runs = (await log.ReadAsync(now.AddMinutes(-3), TestContext.Current.CancellationToken)).Append(later).ToList();

        Assert.Empty(ReconcileRunOverlaps.Find(runs, new Dictionary<string, DateTimeOffset> { ["host-a/1"] = now.AddMinutes(-2) }, now));
        Assert.Single(ReconcileRunOverlaps.Find(runs, new Dictionary<string, DateTimeOffset>(), now));
    }

    [Fact]
    public async Task Housekeeping_deletes_the_runs_past_retention_and_keeps_the_recent_ones()
    {
        var now = DateTimeOffset.UtcNow;
        await using var app = await StartAppAsync();
        var log = app.Get<ReconcileRunLog>();
        await log.StartAsync(now - ReconcileRunLog.Retention - TimeSpan.FromDays(1), TestContext.Current.CancellationToken);
        var recent = await log.StartAsync(now - ReconcileRunLog.Retention + TimeSpan.FromDays(1), TestContext.Current.CancellationToken);

        await app.Get<Housekeeping>().RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal([recent.RowKey], (await log.ReadAsync(now - ReconcileRunLog.Retention - TimeSpan.FromDays(2), TestContext.Current.CancellationToken)).Select(r => r.RowKey));
    }

    private static async Task WaitForRunsAsync(ReconcileRunLog log, DateTimeOffset since, int count)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while ((await log.ReadAsync(since, TestContext.Current.CancellationToken)).Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{count} runs on record within a minute");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    private Task<TestApp> StartAppAsync(Action<IServiceCollection>? configure = null) =>
        TestApp.StartAsync(_simulator, storage.Azurite, [("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050")], configure);
}
