using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Webhooks;
using Azure.Data.Tables;

namespace Athos.Webhooks.Tests.Webhooks;

/// <summary>The delivery ledger's partial writes: a failure is merged into the record, whatever else it holds.</summary>
public sealed class DeliveryLedgerTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    public async ValueTask InitializeAsync() => await storage.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_failure_is_merged_into_the_claimed_record_and_changes_none_of_its_other_columns()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var ledger = new DeliveryLedger(new TableServiceClient(storage.ConnectionString), TimeProvider.System);
        var receivedAt = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
        await ledger.ClaimAsync("wh_failing", "call_1", success: true, receivedAt, "message-1", "ab12", cancellationToken);

        await ledger.RecordFailureAsync("call_1", "wh_failing", new string('x', 1200), cancellationToken);

        var record = await ledger.FindAsync("call_1", "wh_failing", cancellationToken);
        Assert.NotNull(record);
        Assert.Equal(new string('x', 1000), record.LastError);
        Assert.Equal("call_1", record.CallId);
        Assert.Equal("message-1", record.MessageId);
        Assert.Equal(DeliveryStatus.Claimed, record.Status);
        Assert.Equal(receivedAt, record.ReceivedAt);
        Assert.Equal(receivedAt, record.LastReceivedAt);
        Assert.Equal(1, record.Deliveries);
        Assert.True(record.Success);
    }

    /// <summary>
    /// No claim row (claimed under the previous layout, or purged): nothing is written. A bare row would carry neither
    /// <c>CallId</c> (erasure) nor <c>LastReceivedAt</c> (the purge), and a later claim would take it for a claimed one.
    /// </summary>
    [Fact]
    public async Task A_failure_of_a_delivery_without_a_claim_row_writes_nothing_and_a_later_claim_still_claims()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var ledger = new DeliveryLedger(new TableServiceClient(storage.ConnectionString), TimeProvider.System);

        await ledger.RecordFailureAsync("call_2", "wh_unclaimed", "Athos answered 503", cancellationToken);

        Assert.Null(await ledger.FindAsync("call_2", "wh_unclaimed", cancellationToken));
        Assert.Equal(DeliveryClaimOutcome.Claimed, await ledger.ClaimAsync("wh_unclaimed", "call_2", success: true, DateTimeOffset.UtcNow, "message-2", "cd34", cancellationToken));
    }
}
