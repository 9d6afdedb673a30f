using Athos.Simulator;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Webhooks;
using Azure.Data.Tables;

namespace Athos.Webhooks.Tests.Reconciliation;

/// <summary>Housekeeping, on its own timer beside the reconciler: the delivery ledger's purge (change retention: CallChangeRetentionTests).</summary>
public sealed class HousekeepingTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private AthosSimulator _simulator = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 45, FailureRate = 0 });
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Delivery_records_past_retention_are_purged_once_a_day()
    {
        var deliveries = await SeedDeliveriesAsync();
        await using var app = await StartAppAsync();

        await app.Get<Housekeeping>().RunAsync(TestContext.Current.CancellationToken);
        var now = DateTimeOffset.UtcNow;
        await deliveries.AddEntityAsync(new DeliveryRecord { PartitionKey = Call, RowKey = "wh_old2", ReceivedAt = now.AddDays(-50), LastReceivedAt = now.AddDays(-50) }, TestContext.Current.CancellationToken);
        await app.Get<Housekeeping>().RunAsync(TestContext.Current.CancellationToken);

        var ledger = app.Get<DeliveryLedger>();
        Assert.Null(await ledger.FindAsync(Call, "wh_old", TestContext.Current.CancellationToken));
        Assert.NotNull(await ledger.FindAsync(Call, "wh_recent", TestContext.Current.CancellationToken));
        Assert.NotNull(await ledger.FindAsync(Call, "wh_old2", TestContext.Current.CancellationToken));
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == LogEvents.DeliveriesPurged);
    }

    [Fact]
    public async Task A_reconcile_run_leaves_the_delivery_ledger_to_housekeeping()
    {
        await SeedDeliveriesAsync();
        await using var app = await StartAppAsync();

        var run = await app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(ReconcileOutcome.Succeeded, run.Status);
        Assert.NotNull(await app.Get<DeliveryLedger>().FindAsync(Call, "wh_old", TestContext.Current.CancellationToken));
        Assert.Null((await app.Get<ReconcileStateStore>().GetAsync(TestContext.Current.CancellationToken)).LastPurgeAt);
    }

    [Fact]
    public async Task Housekeeping_purges_while_Athos_is_down()
    {
        await SeedDeliveriesAsync();
        _simulator.Faults.Add(_ => true, FaultResponse.ServiceUnavailable);
        await using var app = await StartAppAsync();

        await app.Get<Housekeeping>().RunAsync(TestContext.Current.CancellationToken);

        Assert.Null(await app.Get<DeliveryLedger>().FindAsync(Call, "wh_old", TestContext.Current.CancellationToken));
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == LogEvents.DeliveriesPurged);
    }

    private const string Call = "athos_call_ledgered";

    /// <summary>A record last seen 36 days ago (past the default 35-day retention) and one seen 34 days ago.</summary>
    private async Task<TableClient> SeedDeliveriesAsync()
    {
        var deliveries = new TableClient(storage.ConnectionString, StorageNames.WebhookDeliveriesTable);
        var now = DateTimeOffset.UtcNow;
        await deliveries.AddEntityAsync(new DeliveryRecord { PartitionKey = Call, RowKey = "wh_old", ReceivedAt = now.AddDays(-40), LastReceivedAt = now.AddDays(-36) }, TestContext.Current.CancellationToken);
        await deliveries.AddEntityAsync(new DeliveryRecord { PartitionKey = Call, RowKey = "wh_recent", ReceivedAt = now.AddDays(-40), LastReceivedAt = now.AddDays(-34) }, TestContext.Current.CancellationToken);
        return deliveries;
    }

    private Task<TestApp> StartAppAsync() =>
        TestApp.StartAsync(_simulator, storage.Azurite, [("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050")]);
}
