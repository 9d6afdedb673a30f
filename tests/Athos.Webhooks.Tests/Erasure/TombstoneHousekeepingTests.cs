using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Changes;
using Athos.Webhooks.Erasure;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Tests.Erasure;

/// <summary>
/// What the daily housekeeping does for erased calls: it lifts a tombstone once <c>ATHOS_ERASURE_TOMBSTONE_RETENTION</c>
/// has passed, and deletes a change that a writer which committed just before the erasure appended just after it.
/// </summary>
public sealed class TombstoneHousekeepingTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private AthosSimulator _simulator = null!;
    private TestQueues _queues = null!;
    private TestTables _tables = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 2425, FailureRate = 0 });
        _queues = new TestQueues(storage.ConnectionString);
        _tables = new TestTables(storage.ConnectionString);
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task A_tombstone_is_lifted_once_its_retention_has_passed_and_the_call_may_then_be_stored_again()
    {
        var ct = TestContext.Current.CancellationToken;
        var call = await StoreAndEraseAsync();

        // Two days short of the retention (30 days here), then two days past it: one housekeeping run a day.
        await RunHousekeepingAsync(TimeSpan.FromDays(28));
        var kept = await _tables.MainAsync(call);
        await RunHousekeepingAsync(TimeSpan.FromDays(32));

        Assert.Equal(CallStatus.Erased, kept?.Status);
        Assert.Null(await _tables.MainAsync(call));
        Assert.Empty(await _tables.QueryAsync(StorageNames.StateTable, $"PartitionKey eq '{ErasedCallRow.Partition}'"));
        await using var app = await StartAppAsync(TimeSpan.Zero);
        Assert.Equal(1, (await app.Get<Reconciler>().RunAsync(ct)).Missing);
        Assert.Equal([WorkOutcome.Stored], await QueueDrainer.DrainAsync(app, _queues));
        Assert.Equal(CallStatus.Scored, (await _tables.MainAsync(call))?.Status);
    }

    [Fact]
    public async Task A_change_appended_just_after_the_erasure_is_read_before_the_erased_change_and_deleted_by_the_next_housekeeping()
    {
        var ct = TestContext.Current.CancellationToken;
        var call = _simulator.AddCalls(1, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddHours(-2))[0].Id;
        var changes = new TableClient(storage.ConnectionString, StorageNames.CallChangesTable);
        await using (var app = await StartAppAsync(TimeSpan.Zero))
        {
            await app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call) }), "msg-1", 1, ct);

            // The writer committed its version just before forget, and inserts the version's change just after forget
            // deleted the call's changes: as late as a change row can be, within the feed's read margin of its stamp.
            var created = (await _tables.MainAsync(call))!.ChangeKey!;
            var stored = (await changes.GetEntityAsync<TableEntity>(ChangeKeys.PartitionKey(ChangeKeys.StampOf(created)), created, cancellationToken: ct)).Value;
            var late = new TableEntity(stored.Where(p => p.Key is not ("odata.etag" or "Timestamp")).ToDictionary());
            await app.Get<CallEraser>().EraseAsync(CallId.Parse(call), ct);
            await changes.AddEntityAsync(late, ct);
        }

        var before = await ChangesOfAsync(call);
        await RunHousekeepingAsync(CallChangeFeed.ReadMargin + TimeSpan.FromMinutes(1));

        // A sync reading in between saw the version, then its erasure: it ends without a copy either way.
        Assert.Equal([CallChangeKind.Created, CallChangeKind.Erased], before.Select(c => c.Kind));
        Assert.Equal([CallChangeKind.Erased], (await ChangesOfAsync(call)).Select(c => c.Kind));
        var listed = await new TableClient(storage.ConnectionString, StorageNames.StateTable).GetEntityAsync<ErasedCallRow>(ErasedCallRow.Partition, call, cancellationToken: ct);
        Assert.True(listed.Value.LateChangesSwept);
        Assert.Equal(CallStatus.Erased, (await _tables.MainAsync(call))?.Status);
    }

    private async Task<string> StoreAndEraseAsync()
    {
        var call = _simulator.AddCalls(1, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddHours(-2))[0].Id;
        await using var app = await StartAppAsync(TimeSpan.Zero);
        await app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call) }), "msg-1", 1, TestContext.Current.CancellationToken);
        await app.Get<CallEraser>().EraseAsync(CallId.Parse(call), TestContext.Current.CancellationToken);
        return call;
    }

    /// <summary>The housekeeping of an app whose clock is <paramref name="later"/> ahead.</summary>
    private async Task RunHousekeepingAsync(TimeSpan later)
    {
        await using var app = await StartAppAsync(later);
        await app.Get<Housekeeping>().RunAsync(TestContext.Current.CancellationToken);
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == LogEvents.TombstonesExpired);
    }

    private Task<TestApp> StartAppAsync(TimeSpan later) =>
        TestApp.StartAsync(
            _simulator,
            storage.Azurite,
            [("ATHOS_ERASURE_TOMBSTONE_RETENTION", "30.00:00:00"), ("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050")],
            services => services.AddSingleton<TimeProvider>(new SkewedClock(TimeProvider.System, later)));

    private async Task<List<CallChange>> ChangesOfAsync(string callId)
    {
        var feed = new CallChangeFeed(new TableServiceClient(storage.ConnectionString), ChangeFeedOptions.DefaultRetention, TimeProvider.System, TimeSpan.Zero);
        var page = await feed.ReadChangesAsync(null, cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(page.HasMore);
        return [.. page.Changes.Where(c => c.CallId == callId)];
    }
}
