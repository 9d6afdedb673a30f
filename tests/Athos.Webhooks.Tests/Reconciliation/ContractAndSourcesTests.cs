using System.Text;
using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Functions;
using Athos.Webhooks.Hosting;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;
using AthosContract = Athos.Webhooks.AthosApi.AthosContract;

namespace Athos.Webhooks.Tests.Reconciliation;

/// <summary>
/// Reconcile, backfill and the rescan against both of Athos's contracts: one list per source with its own watermark and
/// time axis, real calls only for a tenant Athos shows is on the current contract, re-dispositions found without a webhook.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class ContractAndSourcesTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private TestQueues _queues = null!;
    private TestTables _tables = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _queues = new TestQueues(storage.ConnectionString);
        _tables = new TestTables(storage.ConnectionString);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task An_early_contract_tenant_is_never_asked_for_real_calls_by_reconcile_backfill_or_rescan()
    {
        // The early simulator answers 400 INVALID_REQUEST to source=real_call: asking would fail the run.
        await using var simulator = await StartSimulatorAsync(Athos.Simulator.AthosContract.Early);
        var calls = simulator.AddCalls(120, DateTimeOffset.UtcNow.AddDays(-3), DateTimeOffset.UtcNow.AddMinutes(-5));
        await using var app = await StartAppAsync(simulator, ("ATHOS_RECONCILE_LOOKBACK", "2.00:00:00"));

        var run = await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
        var backfill = await app.Get<Backfiller>().StartAsync(DateTimeOffset.UtcNow.AddDays(-4), DateTimeOffset.UtcNow, cancellationToken: TestContext.Current.CancellationToken);
        var rescan = await app.Get<Backfiller>().StartRescanJobAsync(DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);
        await QueueDrainer.DrainAsync(app, _queues);

        Assert.Equal(new { Status = ReconcileOutcome.Succeeded, Contract = (AthosContract?)AthosContract.Early }, new { run.Status, run.Contract });
        var realCalls = Assert.Single(run.Sources, s => s.Source == CallSources.RealCall);
        Assert.Equal(ReconcileOutcome.Skipped, realCalls.Status);
        Assert.Contains("early contract", realCalls.Note, StringComparison.Ordinal);
        foreach (var job in new[] { backfill, rescan! })
        {
            var done = await app.Get<Backfiller>().GetAsync(job.JobId, TestContext.Current.CancellationToken);
            Assert.Equal(new { Status = BackfillStatus.Completed, Contract = (string?)"early", LastError = (string?)null }, new { done!.Status, done.Contract, done.LastError });
            Assert.StartsWith("real_call (early contract", done.SkippedSources, StringComparison.Ordinal);
        }

        Assert.Equal(calls.Count(c => c.State == CallState.Scored), await _tables.CountAsync(StorageNames.CallsTable));
        Assert.Equal(new { Contract = (AthosContract?)AthosContract.Early, RealCallWatermark = (DateTimeOffset?)null }, new { Contract = (await app.Get<ReconcileStateStore>().GetAsync(TestContext.Current.CancellationToken)).Contract, RealCallWatermark = (await app.Get<ReconcileStateStore>().GetAsync(TestContext.Current.CancellationToken)).WatermarkOf(CallSources.RealCall) });
    }

    [Fact]
    public async Task Real_calls_wait_until_Athos_shows_its_contract_then_the_probe_or_a_fetched_detail_tells_it()
    {
        await using var simulator = await StartSimulatorAsync(Athos.Simulator.AthosContract.Current);
        var realCall = AddCall(simulator, SimulatedCall.RealCallSource, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddHours(-2));
        await using var app = await StartAppAsync(simulator);

        // No roleplay call anywhere: nothing tells the contract yet, so real calls are not asked for.
        var unknown = await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);

        // A detail fetched by enrichment (a webhook, say) shows the current contract; the next run lists real calls.
        var other = AddCall(simulator, SimulatedCall.RealCallSource, DateTimeOffset.UtcNow.AddHours(-5), DateTimeOffset.UtcNow.AddHours(-4));
        await app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Webhook, CallId = CallId.Parse(other.Id) }), "msg-1", 1, TestContext.Current.CancellationToken);
        var known = await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new { Status = ReconcileOutcome.Succeeded, Contract = (AthosContract?)null }, new { unknown.Status, unknown.Contract });
        Assert.Contains("has not yet shown", Assert.Single(unknown.Sources, s => s.Source == CallSources.RealCall).Note, StringComparison.Ordinal);
        Assert.Equal(unknown.Sources.Single(s => s.Source == CallSources.Roleplay).Pages + 1, unknown.AthosRequests);
        Assert.Equal(AthosContract.Current, known.Contract);
        Assert.Equal(new SourceSummary(ReconcileOutcome.Succeeded, 2, 1), Summary(known, CallSources.RealCall));
        Assert.Equal([realCall.Id], await _queues.PeekAllIdsAsync());
    }

    [Fact]
    public async Task One_roleplay_call_of_the_last_30_days_tells_the_contract_when_the_window_has_none()
    {
        await using var simulator = await StartSimulatorAsync(Athos.Simulator.AthosContract.Current);
        AddCall(simulator, SimulatedCall.RoleplaySource, DateTimeOffset.UtcNow.AddDays(-10).AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(-10));
        var realCall = AddCall(simulator, SimulatedCall.RealCallSource, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddHours(-2));
        await using var app = await StartAppAsync(simulator);

        var run = await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(AthosContract.Current, run.Contract);
        Assert.Equal(new SourceSummary(ReconcileOutcome.Succeeded, 0, 0), Summary(run, CallSources.Roleplay));
        Assert.Equal(new SourceSummary(ReconcileOutcome.Succeeded, 1, 1), Summary(run, CallSources.RealCall));
        Assert.Equal([realCall.Id], await _queues.PeekAllIdsAsync());
    }

    [Fact]
    public async Task Each_source_has_its_own_watermark_and_real_calls_are_listed_by_start_time_with_the_longest_call_added()
    {
        await using var simulator = await StartSimulatorAsync(Athos.Simulator.AthosContract.Current);
        AddCall(simulator, SimulatedCall.RoleplaySource, DateTimeOffset.UtcNow.AddHours(-5), DateTimeOffset.UtcNow.AddHours(-4).AddMinutes(-50));
        await using var app = await StartAppAsync(simulator);
        var first = await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
        await QueueDrainer.DrainAsync(app, _queues);
        var watermark = first.StartedAt;

        // Both were scored after the first run. The real call started 2.5 h before it (inside the overlap plus the
        // longest call); the roleplay call ended 1.5 h before it (outside its one-hour overlap).
        var longRealCall = AddCall(simulator, SimulatedCall.RealCallSource, watermark.AddHours(-2.5), watermark.AddMinutes(-20));
        AddCall(simulator, SimulatedCall.RoleplaySource, watermark.AddHours(-1.6), watermark.AddHours(-1.5));
        var second = await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);

        var state = await app.Get<ReconcileStateStore>().GetAsync(TestContext.Current.CancellationToken);
        Assert.Equal(new { FirstSourceTo = (DateTimeOffset?)watermark, SecondSourceTo = (DateTimeOffset?)watermark }, new { FirstSourceTo = first.Sources[0].To, SecondSourceTo = first.Sources[1].To });
        Assert.Equal(watermark.AddHours(-1), second.Sources.Single(s => s.Source == CallSources.Roleplay).From);
        Assert.Equal(watermark.AddHours(-3), second.Sources.Single(s => s.Source == CallSources.RealCall).From);
        Assert.Equal([longRealCall.Id], await _queues.PeekAllIdsAsync());
        Assert.Equal(new { RoleplayWatermark = (DateTimeOffset?)second.StartedAt, RealCallWatermark = (DateTimeOffset?)second.StartedAt }, new { RoleplayWatermark = state.WatermarkOf(CallSources.Roleplay), RealCallWatermark = state.WatermarkOf(CallSources.RealCall) });
    }

    [Fact]
    public async Task An_upgraded_deployment_carries_on_from_its_single_watermark_for_roleplay()
    {
        await using var simulator = await StartSimulatorAsync(Athos.Simulator.AthosContract.Early);
        var legacyWatermark = DateTimeOffset.UtcNow.AddHours(-6);
        await new TableClient(storage.ConnectionString, StorageNames.StateTable).UpsertEntityAsync(new TableEntity("reconcile", "state") { ["Watermark"] = legacyWatermark, ["LastRunStatus"] = "Succeeded" }, cancellationToken: TestContext.Current.CancellationToken);
        await using var app = await StartAppAsync(simulator);

        var run = await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(legacyWatermark.AddHours(-1), run.Sources.Single(s => s.Source == CallSources.Roleplay).From);
    }

    [Fact]
    public async Task A_re_dispositioned_real_call_without_a_webhook_is_re_read_by_the_rescan_not_the_reconciler()
    {
        await using var simulator = await StartSimulatorAsync(Athos.Simulator.AthosContract.Current);
        var realCall = AddCall(simulator, SimulatedCall.RealCallSource, DateTimeOffset.UtcNow.AddDays(-5).AddHours(-1), DateTimeOffset.UtcNow.AddDays(-5));
        await using var app = await StartAppAsync(simulator);
        await app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Webhook, CallId = CallId.Parse(realCall.Id) }), "msg-1", 1, TestContext.Current.CancellationToken);
        await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
        var before = await _tables.MainAsync(realCall.Id);

        var redisposed = simulator.Redisposition(realCall.Id);
        var reconcile = await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
        var afterReconcile = await _tables.MainAsync(realCall.Id);
        var occurrence = DateTimeOffset.UtcNow;
        var rescan = await app.Get<Backfiller>().StartRescanJobAsync(occurrence, TestContext.Current.CancellationToken);
        var sameOccurrence = await app.Get<Backfiller>().StartRescanJobAsync(occurrence, TestContext.Current.CancellationToken);
        await QueueDrainer.DrainAsync(app, _queues);

        Assert.Equal(realCall.ScoredAt, before!.ScoredAt);
        Assert.Equal(new { Queued = 0, ScoredAt = before.ScoredAt }, new { reconcile.Queued, afterReconcile!.ScoredAt });
        Assert.Null(sameOccurrence);
        var after = await _tables.MainAsync(realCall.Id);
        Assert.Equal(new { ScoredAt = redisposed.ScoredAt, OverallScore = redisposed.OverallScore == 0 ? null : redisposed.OverallScore }, new { after!.ScoredAt, after.OverallScore });
        var job = await app.Get<Backfiller>().GetAsync(rescan!.JobId, TestContext.Current.CancellationToken);
        Assert.Equal(new { Kind = BackfillKind.Rescan, Status = BackfillStatus.Completed, Contract = (string?)"current", Stale = 1 }, new { job!.Kind, job.Status, job.Contract, job.Stale });
        Assert.Empty(simulator.Webhooks.Deliveries);
    }

    [Fact]
    public async Task A_backfill_of_real_calls_only_reaches_back_by_the_longest_call_on_the_start_time_axis()
    {
        await using var simulator = await StartSimulatorAsync(Athos.Simulator.AthosContract.Current);
        var from = DateTimeOffset.UtcNow.AddDays(-2);
        var startedBeforeEndedInside = AddCall(simulator, SimulatedCall.RealCallSource, from.AddMinutes(-90), from.AddMinutes(10));
        var roleplay = AddCall(simulator, SimulatedCall.RoleplaySource, from.AddHours(1), from.AddHours(1).AddMinutes(10));
        await using var app = await StartAppAsync(simulator);
        await app.Get<ReconcileStateStore>().SaveContractAsync(AthosContract.Current, TestContext.Current.CancellationToken);
        var request = WebhookRequests.Build(Encoding.UTF8.GetBytes($$"""{"from":"{{from:o}}","to":"{{DateTimeOffset.UtcNow:o}}","sources":["real_call"]}"""), null, null);

        var started = await WebhookRequests.ExecuteAsync(await new BackfillFunctions(app.Get<IAthosHttpHandlers>()).StartAsync(request, TestContext.Current.CancellationToken), request);
        await QueueDrainer.DrainAsync(app, _queues);

        Assert.Equal(202, started.Status);
        Assert.Equal(["real_call"], started.Body.GetProperty("sources").EnumerateArray().Select(s => s.GetString()));
        Assert.NotNull(await _tables.MainAsync(startedBeforeEndedInside.Id));
        Assert.Null(await _tables.MainAsync(roleplay.Id));
    }

    private static SourceSummary Summary(ReconcileRun run, string source)
    {
        var part = run.Sources.Single(s => s.Source == source);
        return new SourceSummary(part.Status, part.Listed, part.Missing + part.Stale);
    }

    private static SimulatedCall AddCall(AthosSimulator simulator, string source, DateTimeOffset startedAt, DateTimeOffset endedAt)
    {
        // Athos's timestamps have millisecond precision.
        startedAt = new DateTimeOffset(startedAt.UtcTicks - (startedAt.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        endedAt = new DateTimeOffset(endedAt.UtcTicks - (endedAt.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        var call = simulator.Generator.Generate(endedAt);
        call = (call.State == CallState.Scored ? call : simulator.Generator.Rescore(call, endedAt.AddMinutes(1))) with
        {
            Source = source,
            DrillKey = source == SimulatedCall.RealCallSource ? null : "ma-objection-handling",
            StartedAt = startedAt,
            EndedAt = endedAt,
            CreatedAt = startedAt,
            ScoredAt = endedAt.AddMinutes(1),
            UpdatedAt = endedAt.AddMinutes(1),
        };
        simulator.Calls.Add(call);
        return call;
    }

    private static Task<AthosSimulator> StartSimulatorAsync(Athos.Simulator.AthosContract contract) =>
        AthosSimulator.StartAsync(new SimulatorOptions { Seed = 4242, FailureRate = 0, Contract = contract });

    private Task<TestApp> StartAppAsync(AthosSimulator simulator, params (string Name, string? Value)[] overrides) =>
        TestApp.StartAsync(simulator, storage.Azurite, [("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050"), .. overrides]);

    /// <summary>One source's part of a run, named so that a failed comparison says which number differs.</summary>
    private sealed record SourceSummary(ReconcileOutcome Status, int Listed, int Queued);
}
