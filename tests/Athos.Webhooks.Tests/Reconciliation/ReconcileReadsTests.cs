using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.Azure;

namespace Athos.Webhooks.Tests.Reconciliation;

/// <summary>
/// The reconciler reads what a window holds from the day index by range, a thousand calls per request, and reads
/// <c>AthosCalls</c> only for calls the index does not have there: its missing and stale counts stay exact.
/// </summary>
public sealed class ReconcileReadsTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly StorageRequestCounter _counter = new();
    private AthosSimulator _simulator = null!;
    private TestApp _app = null!;
    private TestQueues _queues = null!;
    private int _messages;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 3333, FailureRate = 0 });
        _app = await TestApp.StartAsync(
            _simulator,
            storage.Azurite,
            [("ATHOS_RECONCILE_LOOKBACK", "2.00:00:00")],
            services => services.AddAzureClients(azure => azure.ConfigureDefaults(options => options.AddPolicy(_counter, HttpPipelinePosition.PerCall))));
        _queues = new TestQueues(storage.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task Present_missing_stale_and_failed_calls_around_midnight_are_told_apart_exactly()
    {
        // Around the last UTC midnight: the window spans two day partitions, and calls sit on both edges.
        var midnight = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        var present = new[] { AddCall(midnight.AddMilliseconds(-1)), AddCall(midnight), AddCall(midnight.AddHours(-3)), AddCall(midnight.AddHours(2)) };
        var missing = new[] { AddCall(midnight.AddMilliseconds(1)), AddCall(midnight.AddMinutes(-30)) };
        var stale = AddCall(midnight.AddMinutes(-1));
        var failedHere = AddCall(midnight.AddMinutes(1));
        var failedInWindow = AddCall(midnight.AddMinutes(2));
        var unindexed = AddCall(midnight.AddHours(-1));
        foreach (var call in present.Concat([stale, unindexed]))
        {
            await FetchAsync(call);
        }

        // A stale row: Athos rescored it since. A failed row for a call Athos has scored since, indexed by when the
        // failure was reported (days earlier, outside the window). A present call whose index row was lost.
        _simulator.Calls.Update(stale.Id, c => _simulator.Generator.Rescore(c, midnight.AddMinutes(30)), notify: false);
        await _app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(new ScoringFailedWorkItem { Origin = WorkOrigin.Webhook, CallId = CallId.Parse(failedHere.Id), OccurredAt = midnight.AddDays(-4), Reason = "SCORING_INCOMPLETE" }), "m-failed", 1, TestContext.Current.CancellationToken);
        await _app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(new ScoringFailedWorkItem { Origin = WorkOrigin.Webhook, CallId = CallId.Parse(failedInWindow.Id), OccurredAt = midnight.AddMinutes(-2), Reason = "SCORING_INCOMPLETE" }), "m-failed-2", 1, TestContext.Current.CancellationToken);
        var dayIndex = new TableClient(storage.ConnectionString, StorageNames.CallsByDayTable);
        var lost = (await new TestTables(storage.ConnectionString).IndexRowsAsync(unindexed.Id)).ByDay.Single();
        await dayIndex.DeleteEntityAsync(lost.PartitionKey, lost.RowKey, cancellationToken: TestContext.Current.CancellationToken);

        _counter.Reset();
        var run = await _app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new { Status = ReconcileOutcome.Succeeded, Listed = 10, Missing = 2, Stale = 3 }, new { run.Status, run.Listed, run.Missing, run.Stale });
        Assert.Equal(missing.Select(c => c.Id).Concat([stale.Id, failedHere.Id, failedInWindow.Id]).Order(), (await _queues.PeekAllIdsAsync()).Order());

        // Point reads only for the calls the index does not have in the window: the missing, the failure indexed days
        // before, the lost row; the failure inside the window is seen in the index.
        // By call, not by request: on a loaded machine (a fresh-clone run of the whole suite) one run made five point
        // reads for these four calls; which calls are read is what the index decides.
        var pointReads = _counter.Requests.Where(r => r.Method == "GET" && r.Uri.AbsolutePath.Contains("/AthosCalls(", StringComparison.Ordinal)).ToList();
        var pointRead = new[] { missing[0], missing[1], failedHere, unindexed, stale, failedInWindow }.Concat(present)
            .Where(c => pointReads.Any(r => r.Uri.AbsolutePath.Contains(c.Id, StringComparison.Ordinal)))
            .Select(c => c.Id);
        Assert.Equal(new[] { missing[0].Id, missing[1].Id, failedHere.Id, unindexed.Id }.Order(), pointRead.Order());
    }

    [Fact]
    public async Task Two_thousand_listed_calls_all_present_cost_a_few_range_reads_and_no_point_read()
    {
        var now = DateTimeOffset.UtcNow;
        var calls = _simulator.AddCalls(2000, now.AddHours(-5), now.AddMinutes(-5));
        var rows = calls.Select(c => new CallRow { PartitionKey = c.Id, CallId = c.Id, Status = CallStatus.Scored, ScoredAt = c.ScoredAt, EndedAt = c.EndedAt }).ToList();
        var mainTable = new TableClient(storage.ConnectionString, StorageNames.CallsTable);
        var dayIndex = new TableClient(storage.ConnectionString, StorageNames.CallsByDayTable);
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = TestContext.Current.CancellationToken }, async (row, ct) =>
        {
            await mainTable.AddEntityAsync(row, ct);
            await dayIndex.AddEntityAsync(row.CloneWithKeys(TableKeys.Day(row.EndedAt!.Value), TableKeys.NewestFirstRowKey(row.EndedAt.Value, row.CallId), withScoreJson: false), ct);
        });

        _counter.Reset();
        var run = await _app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new { Status = ReconcileOutcome.Succeeded, Listed = 2000, Queued = 0 }, new { run.Status, run.Listed, run.Queued });
        var tableRequests = _counter.Requests.Where(r => r.Uri.Port == storage.Azurite.TablePort).ToList();
        Assert.DoesNotContain(tableRequests, r => r.Uri.AbsolutePath.Contains("/AthosCalls(", StringComparison.Ordinal));
        var perListedCall = (double)_counter.Requests.Count / run.Listed;
        Assert.True(perListedCall <= 0.05, $"at most 0.05 storage requests per listed call; {_counter.Requests.Count} for {run.Listed}");
    }

    private SimulatedCall AddCall(DateTimeOffset endedAt)
    {
        var call = _simulator.Generator.Generate(endedAt);
        call = (call.State == CallState.Scored ? call : _simulator.Generator.Rescore(call, endedAt.AddSeconds(30))) with { EndedAt = endedAt, StartedAt = endedAt.AddMinutes(-5) };
        _simulator.Calls.Add(call);
        return call;
    }

    private Task<WorkOutcome> FetchAsync(SimulatedCall call) =>
        _app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) }), "m-" + Interlocked.Increment(ref _messages), 1, TestContext.Current.CancellationToken);
}
