using System.Globalization;
using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;

namespace Athos.Webhooks.Tests.Reconciliation;

/// <summary>
/// The reconciler and the backfill chain never wedge: an unusable id is skipped, a looping cursor stops the listing, a
/// long window is covered in chunks whose progress is kept, and a call already on the queue is not queued again.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class ReconcileFaultTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private AthosSimulator _simulator = null!;
    private TestQueues _queues = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 1111, FailureRate = 0 });
        _queues = new TestQueues(storage.ConnectionString);
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Theory]
    [InlineData("athos_call_has.a.dot")]
    [InlineData("too_long")]
    public async Task An_unusable_listed_id_is_skipped_logged_with_the_request_id_and_the_rest_reconciled(string badId)
    {
        // All inside the overlap, so that the next run lists them again.
        var now = DateTimeOffset.UtcNow;
        var good = _simulator.AddCalls(5, now.AddMinutes(-50), now.AddMinutes(-10));
        var bad = _simulator.Generator.Generate(now.AddMinutes(-30)) with { Id = badId == "too_long" ? "athos_call_" + new string('x', 200) : badId, State = CallState.Scored, ScoredAt = now.AddMinutes(-29) };
        _simulator.Calls.Add(bad);
        await using var app = await StartAppAsync();

        var run = await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
        var next = await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new { Status = ReconcileOutcome.Succeeded, SkippedIds = 1, Queued = 5 }, new { run.Status, run.SkippedIds, run.Queued });
        Assert.Equal(good.Select(c => c.Id).Order(), (await _queues.PeekAllIdsAsync()).Order());
        var logged = app.Logs.GetSnapshot().Where(l => l.Id.Id == LogEvents.ReconcileUnsafeId).ToList();
        Assert.Equal(2, logged.Count);
        Assert.All(logged, l => Assert.StartsWith("req_", l.StructuredState!.Single(p => p.Key == "AthosRequestId").Value, StringComparison.Ordinal));
        Assert.Equal(new { Status = ReconcileOutcome.Succeeded, SkippedIds = 1 }, new { next.Status, next.SkippedIds });
    }

    [Fact]
    public async Task An_unusable_id_in_a_backfill_page_is_skipped_and_the_chain_completes()
    {
        var now = DateTimeOffset.UtcNow;
        _simulator.AddCalls(5, now.AddHours(-3), now.AddHours(-1));
        _simulator.Calls.Add(_simulator.Generator.Generate(now.AddHours(-2)) with { Id = "athos_call_bad.id", State = CallState.Scored, ScoredAt = now.AddHours(-2) });
        await using var app = await StartAppAsync();

        var job = await app.Get<Backfiller>().StartAsync(now.AddDays(-1), now, cancellationToken: TestContext.Current.CancellationToken);
        await QueueDrainer.DrainAsync(app, _queues);

        var done = await app.Get<Backfiller>().GetAsync(job.JobId, TestContext.Current.CancellationToken);
        Assert.Equal(new { Status = BackfillStatus.Completed, SkippedIds = 1, Listed = 6, Queued = 5 }, new { done!.Status, done.SkippedIds, done.Listed, done.Queued });
        Assert.Empty(await app.Get<ParkedWork>().ListAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("A>A")]
    [InlineData("A>B>A")]
    public async Task A_looping_cursor_fails_the_run_instead_of_paging_forever(string loop)
    {
        await using var athos = await ScriptedAthos.StartAsync(cursor => LoopingPage(loop, cursor));
        await using var app = await StartAppAsync(("ATHOS_BASE_URL", athos.BaseUrl.ToString()));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));

        var run = await app.Get<Reconciler>().RunAsync(deadline.Token);

        var roleplay = run.Sources.Single(s => s.Source == CallSources.Roleplay);
        Assert.Equal(new { RunStatus = ReconcileOutcome.Failed, RoleplayStatus = ReconcileOutcome.Failed }, new { RunStatus = run.Status, RoleplayStatus = roleplay.Status });
        Assert.Contains("already returned", roleplay.Note, StringComparison.Ordinal);
        Assert.Equal(loop == "A>A" ? 2 : 3, athos.ListRequests);
    }

    [Fact]
    public async Task A_looping_cursor_stops_a_backfill_chain_with_the_reason()
    {
        await using var athos = await ScriptedAthos.StartAsync(cursor => LoopingPage("A>B>A", cursor));
        await using var app = await StartAppAsync(("ATHOS_BASE_URL", athos.BaseUrl.ToString()));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));

        var job = await app.Get<Backfiller>().StartAsync(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow, [CallSources.Roleplay], deadline.Token);
        for (var round = 0; round < 10 && await _queues.CountAsync() > 0; round++)
        {
            await QueueDrainer.DrainAsync(app, _queues);
        }

        var done = await app.Get<Backfiller>().GetAsync(job.JobId, TestContext.Current.CancellationToken);
        Assert.Equal(BackfillStatus.Failed, done!.Status);
        Assert.Contains("already returned", done.LastError, StringComparison.Ordinal);
        Assert.Equal(3, athos.ListRequests);
        Assert.Equal(0, await _queues.CountAsync());
    }

    [Fact]
    public async Task A_long_window_is_covered_in_chunks_that_each_run_keeps_and_the_runs_converge()
    {
        var now = DateTimeOffset.UtcNow;
        var calls = _simulator.AddCalls(300, now.AddDays(-3), now.AddMinutes(-5));
        _simulator.Faults.Latency = TimeSpan.FromMilliseconds(1200);
        await using var app = await StartAppAsync(("ATHOS_RECONCILE_LOOKBACK", "3.00:00:00"), ("ATHOS_RECONCILE_RUN_BUDGET", "00:00:01"));
        var reconciler = app.Get<Reconciler>();
        var states = app.Get<ReconcileStateStore>();

        var runs = new List<ReconcileRun>();
        var watermarks = new List<DateTimeOffset?>();
        do
        {
            runs.Add(await reconciler.RunAsync(TestContext.Current.CancellationToken));
            watermarks.Add((await states.GetAsync(TestContext.Current.CancellationToken)).WatermarkOf(CallSources.Roleplay));
        }
        while (runs[^1].Status == ReconcileOutcome.Partial && runs.Count < 30);

        // Each run covered one six-hour chunk (five hours new: the overlap re-lists one) of the window and kept it.
        Assert.InRange(runs.Count, 13, 16);
        Assert.All(runs.SkipLast(1), r => Assert.Equal(ReconcileOutcome.Partial, r.Status));
        Assert.Equal(ReconcileOutcome.Succeeded, runs[^1].Status);
        Assert.Equal(watermarks.Order(), watermarks);
        Assert.Equal(runs[^1].StartedAt, watermarks[^1]);

        // Every call queued once: the overlap re-lists the end of the previous chunk, whose calls are pending.
        var queued = await _queues.PeekAllIdsAsync();
        Assert.Equal(calls.Select(c => c.Id).Order(), queued.Order());
        Assert.True(runs.Sum(r => r.Pending) > 0, "the overlap met calls already queued");
    }

    [Fact]
    public async Task A_run_killed_mid_window_keeps_the_chunks_it_finished()
    {
        var now = DateTimeOffset.UtcNow;
        _simulator.AddCalls(100, now.AddDays(-2), now.AddMinutes(-5));
        _simulator.Faults.Latency = TimeSpan.FromMilliseconds(800);
        await using var app = await StartAppAsync(("ATHOS_RECONCILE_LOOKBACK", "2.00:00:00"));
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var started = DateTimeOffset.UtcNow;

        var run = app.Get<Reconciler>().RunAsync(kill.Token);
        while (_simulator.Requests.ListRequests < 3)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        await kill.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        // Two chunks were covered when the host "killed" it: the next run starts there, not at the beginning.
        var watermark = (await app.Get<ReconcileStateStore>().GetAsync(TestContext.Current.CancellationToken)).WatermarkOf(CallSources.Roleplay);
        var from = started.AddDays(-2).AddHours(-1);
        Assert.NotNull(watermark);
        Assert.InRange(watermark.Value, from + (2 * Reconciler.ChunkSpan) - TimeSpan.FromSeconds(5), from + (2 * Reconciler.ChunkSpan) + TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_call_the_last_run_queued_and_not_yet_processed_is_pending_not_queued_again()
    {
        // Inside the overlap, so that the next run lists them again.
        var now = DateTimeOffset.UtcNow;
        var calls = _simulator.AddCalls(40, now.AddMinutes(-55), now.AddMinutes(-5));
        await using var app = await StartAppAsync();
        var reconciler = app.Get<Reconciler>();

        var first = await reconciler.RunAsync(TestContext.Current.CancellationToken);
        var second = await reconciler.RunAsync(TestContext.Current.CancellationToken);
        var onQueue = await _queues.CountAsync();
        await QueueDrainer.DrainAsync(app, _queues);
        var marksLeft = await CountMarksAsync();
        // Gone again, from the main table and the day index the reconciler reads.
        await new TableClient(storage.ConnectionString, StorageNames.CallsTable).DeleteEntityAsync(calls[0].Id, string.Empty, cancellationToken: TestContext.Current.CancellationToken);
        var dayRow = Assert.Single((await new TestTables(storage.ConnectionString).IndexRowsAsync(calls[0].Id)).ByDay);
        await new TableClient(storage.ConnectionString, StorageNames.CallsByDayTable).DeleteEntityAsync(dayRow.PartitionKey, dayRow.RowKey, cancellationToken: TestContext.Current.CancellationToken);
        var third = await reconciler.RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new { Queued = 40, Pending = 0 }, new { first.Queued, first.Pending });
        Assert.Equal(new { Missing = 40, Queued = 0, Pending = 40 }, new { second.Missing, second.Queued, second.Pending });
        Assert.Equal(40, onQueue);
        Assert.Equal(0, marksLeft);
        Assert.Equal(new { Queued = 1, Pending = 0 }, new { third.Queued, third.Pending });
        Assert.Equal(40, _simulator.Requests.DetailRequests);
    }

    [Fact]
    public async Task A_queued_call_a_webhook_stored_first_costs_no_Athos_request()
    {
        var call = _simulator.AddCalls(1, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddHours(-1))[0];
        await using var app = await StartAppAsync();
        await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
        await app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Webhook, CallId = CallId.Parse(call.Id), WebhookId = "wh_first" }), "m-webhook", 1, TestContext.Current.CancellationToken);

        var outcomes = await QueueDrainer.DrainAsync(app, _queues);

        Assert.Equal([WorkOutcome.Unchanged], outcomes);
        Assert.Equal(1, _simulator.Requests.DetailRequestsFor(call.Id));
    }

    private async Task<int> CountMarksAsync()
    {
        var count = 0;
        await foreach (var _ in new TableClient(storage.ConnectionString, StorageNames.StateTable).QueryAsync<TableEntity>(e => e.PartitionKey == QueuedCalls.Partition, cancellationToken: TestContext.Current.CancellationToken))
        {
            count++;
        }

        return count;
    }

    // A page of one early-contract call per cursor, times going back; the cursors loop as the script says.
    private static string LoopingPage(string loop, string? cursor)
    {
        var (next, minutes) = (loop, cursor) switch
        {
            (_, null) => ("A", 10),
            ("A>A", "A") => ("A", 10),
            ("A>B>A", "A") => ("B", 20),
            _ => ("A", 30),
        };
        var endedAt = DateTimeOffset.UtcNow.AddHours(-1).AddMinutes(-minutes).ToString("o", CultureInfo.InvariantCulture);
        return $$"""{"data":[{"id":"athos_call_loop{{minutes}}","source":"roleplay","externalUserId":"rep_1","endedAt":"{{endedAt}}","durationSec":60,"scoredAt":"{{endedAt}}"}],"nextCursor":"{{next}}"}""";
    }

    private Task<TestApp> StartAppAsync(params (string Name, string? Value)[] overrides) =>
        TestApp.StartAsync(_simulator, storage.Azurite, [("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050"), .. overrides]);
}
