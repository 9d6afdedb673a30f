using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Functions;
using Athos.Webhooks.Hosting;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Tests.Fixtures;

namespace Athos.Webhooks.Tests.Reconciliation;

/// <summary>The scheduled reconcile against real Azurite and the simulator over HTTP.</summary>
[Collection(HeavyTests.Name)]
public sealed class ReconcilerTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private AthosSimulator _simulator = null!;
    private TestQueues _queues = null!;
    private TestTables _tables = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 44, FailureRate = 0 });
        _queues = new TestQueues(storage.ConnectionString);
        _tables = new TestTables(storage.ConnectionString);
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task One_run_queues_every_dropped_call_exactly_once_and_none_of_the_delivered_ones()
    {
        var now = DateTimeOffset.UtcNow;
        var calls = _simulator.Generator.Generate(1000, now.AddDays(-3), now.AddMinutes(-10));
        _simulator.Faults.WebhookDropRate = 0.3;
        await using var receiver = await ReceiverHost.StartAsync(StackSettings.For(_simulator, storage.Azurite));
        var deliveries = await Task.WhenAll(calls.Select(c => _simulator.Webhooks.DeliverAsync(c, receiver.WebhookUrl, TestContext.Current.CancellationToken)));
        _simulator.Calls.AddRange(calls);
        await using var app = await StartAppAsync(("ATHOS_RECONCILE_LOOKBACK", "4.00:00:00"));
        await QueueDrainer.DrainAsync(app, _queues);
        // Missing here: every call whose webhook was never acknowledged (dropped, or refused with 503 twice).
        var dropped = deliveries.Where(d => !d.Acked).Select(d => d.CallId).ToHashSet();

        var run = await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
        var queued = await _queues.PeekAllIdsAsync();

        Assert.Equal(ReconcileOutcome.Succeeded, run.Status);
        Assert.InRange(dropped.Count, 240, 360);
        Assert.Equal(dropped.Order(), queued.Order());
        Assert.Equal(new { Listed = 1000, Pages = run.AthosRequests, Missing = dropped.Count, Stale = 0, Queued = dropped.Count }, new { run.Listed, run.Pages, run.Missing, run.Stale, run.Queued });
        await QueueDrainer.DrainAsync(app, _queues);
        Assert.Equal(1000, await _tables.CountAsync(StorageNames.CallsTable));
    }

    [Fact]
    public async Task A_call_scored_after_the_last_run_is_found_inside_the_overlap_and_an_older_one_is_not_listed()
    {
        await using var app = await StartAppAsync();
        var first = await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
        var watermark = first.StartedAt;

        // Both ended before the first run and were scored only after it.
        var insideOverlap = AddCall(watermark.AddMinutes(-30));
        var beforeWindow = AddCall(watermark.AddHours(-1).AddMinutes(-5));
        var second = await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(watermark.AddHours(-1), second.From);
        Assert.Equal([insideOverlap.Id], await _queues.PeekAllIdsAsync());
        Assert.Equal(1, second.Listed);
        Assert.DoesNotContain(beforeWindow.Id, await _queues.PeekAllIdsAsync());
    }

    [Fact]
    public async Task A_rescored_call_is_queued_and_an_unchanged_one_is_not()
    {
        // Both ended inside the overlap of the next run (the list bounds endedAt, not the scoring time).
        var unchanged = AddCall(DateTimeOffset.UtcNow.AddMinutes(-40));
        var rescored = AddCall(DateTimeOffset.UtcNow.AddMinutes(-20));
        await using var app = await StartAppAsync();
        await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
        await QueueDrainer.DrainAsync(app, _queues);

        _simulator.Rescore(rescored.Id);
        var run = await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new { Listed = 2, Missing = 0, Stale = 1 }, new { run.Listed, run.Missing, run.Stale });
        Assert.Equal([rescored.Id], await _queues.PeekAllIdsAsync());
        Assert.DoesNotContain(unchanged.Id, await _queues.PeekAllIdsAsync());
    }

    [Fact]
    public async Task Persistent_500s_on_page_3_fail_the_run_keep_the_chunks_before_and_the_next_run_loses_nothing()
    {
        // All in the window's second six-hour chunk (the first run lists from a day and an hour back), three pages of it.
        var calls = _simulator.AddCalls(260, DateTimeOffset.UtcNow.AddHours(-18), DateTimeOffset.UtcNow.AddHours(-14));
        _simulator.Faults.Add(r => r.Operation == ApiOperation.List && r.Page == 3, FaultResponse.InternalError);
        await using var app = await StartAppAsync(("ATHOS_HTTP_MAX_RETRIES", "1"));
        var reconciler = app.Get<Reconciler>();

        var failed = await reconciler.RunAsync(TestContext.Current.CancellationToken);
        var stateAfterFailure = await app.Get<ReconcileStateStore>().GetAsync(TestContext.Current.CancellationToken);
        _simulator.Faults.Clear();
        var recovered = await reconciler.RunAsync(TestContext.Current.CancellationToken);
        await QueueDrainer.DrainAsync(app, _queues);

        Assert.Equal(new { Status = ReconcileOutcome.Failed, Pages = 3, AthosRequests = 4, Errors = 1 }, new { failed.Status, failed.Pages, failed.AthosRequests, failed.Errors });
        Assert.Contains("INTERNAL_ERROR", failed.Error, StringComparison.Ordinal);
        var roleplay = failed.Sources.Single(s => s.Source == CallSources.Roleplay);
        Assert.Equal(roleplay.From + Reconciler.ChunkSpan, roleplay.CaughtUpTo);
        Assert.Equal(roleplay.CaughtUpTo, stateAfterFailure.WatermarkOf(CallSources.Roleplay));
        Assert.Equal(ReconcileOutcome.Failed, stateAfterFailure.LastRunStatus);
        Assert.Equal(ReconcileOutcome.Succeeded, recovered.Status);
        Assert.Equal(recovered.StartedAt, (await app.Get<ReconcileStateStore>().GetAsync(TestContext.Current.CancellationToken)).WatermarkOf(CallSources.Roleplay));
        Assert.Equal(calls.Select(c => c.Id).Order(), (await _tables.QueryAsync(StorageNames.CallsTable, string.Empty)).Select(r => r.CallId).Order());
    }

    [Fact]
    public async Task Two_runs_started_at_once_one_runs_and_one_skips()
    {
        _simulator.AddCalls(20, DateTimeOffset.UtcNow.AddHours(-5), DateTimeOffset.UtcNow);
        _simulator.Faults.Latency = TimeSpan.FromMilliseconds(1500);
        await using var app = await StartAppAsync();

        var runs = await Task.WhenAll(app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken), app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken));

        Assert.Equal([ReconcileOutcome.Succeeded, ReconcileOutcome.Skipped], runs.Select(r => r.Status).Order());
        Assert.Equal(runs.Single(r => r.Status == ReconcileOutcome.Succeeded).AthosRequests, _simulator.Requests.ListRequests);
        Assert.Contains(app.Logs.GetSnapshot(), l => l.Id.Id == LogEvents.ReconcileSkipped);
    }

    [Fact]
    public async Task The_timer_function_throws_when_the_run_fails()
    {
        _simulator.Faults.Add(r => r.Operation == ApiOperation.List, new FaultResponse(401, "API_KEY_REVOKED"));
        await using var app = await StartAppAsync();

        var error = await Assert.ThrowsAsync<ReconcileFailedException>(() => new ReconcileFunction(app.Get<IScheduledJobs>()).RunAsync(new Microsoft.Azure.Functions.Worker.TimerInfo(), TestContext.Current.CancellationToken));

        Assert.Contains("API_KEY_REVOKED", error.Message, StringComparison.Ordinal);
    }

    private SimulatedCall AddCall(DateTimeOffset endedAt)
    {
        var call = _simulator.Generator.Generate(endedAt);
        _simulator.Calls.Add(call);
        return call;
    }

    private Task<TestApp> StartAppAsync(params (string Name, string? Value)[] overrides) =>
        TestApp.StartAsync(_simulator, storage.Azurite, [("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050"), .. overrides]);
}
