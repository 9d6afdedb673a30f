using Athos.Webhooks.Changes;
using Athos.Webhooks.Enrichment;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Writing;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Athos.Webhooks.Tests.Changes;

/// <summary>
/// What <c>verify</c> expects of the change feed (real Azurite, a fake clock): a stored version's change is due once its
/// stamp is older than the read margin (before that it may be in flight), and only while it is younger than the
/// retention (older changes are purged); a void row at the stamp is not the change.
/// </summary>
public sealed class CallConsistencyCheckerTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string CallId = "athos_call_verify01";

    private readonly FakeTimeProvider _clock = new(TestCalls.Ended.AddDays(2));

    public async ValueTask InitializeAsync() => await storage.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_missing_change_is_due_only_once_its_stamp_is_older_than_the_read_margin()
    {
        var stamp = await StoreWithoutItsChangeAsync();

        var inFlight = await ChangeDiscrepanciesAsync(stamp + CallChangeFeed.ReadMargin - TimeSpan.FromSeconds(1));
        var due = await ChangeDiscrepanciesAsync(stamp + CallChangeFeed.ReadMargin + TimeSpan.FromSeconds(1));

        Assert.Empty(inFlight);
        Assert.Equal([DiscrepancyKind.Missing], due.Select(d => d.Kind));
    }

    [Fact]
    public async Task A_missing_change_older_than_the_retention_is_not_reported()
    {
        var stamp = await StoreWithoutItsChangeAsync();
        var retention = TimeSpan.FromDays(2);

        var kept = await ChangeDiscrepanciesAsync(stamp + retention - TimeSpan.FromMinutes(1), retention);
        var purged = await ChangeDiscrepanciesAsync(stamp + retention + TimeSpan.FromMinutes(1), retention);
        var byDefault = await ChangeDiscrepanciesAsync(stamp + ChangeFeedOptions.DefaultRetention + TimeSpan.FromMinutes(1));

        Assert.Equal([DiscrepancyKind.Missing], kept.Select(d => d.Kind));
        Assert.Empty(purged);
        Assert.Empty(byDefault);
    }

    [Fact]
    public async Task A_void_row_at_the_main_row_s_change_key_is_not_its_change()
    {
        var stamp = await StoreWithoutItsChangeAsync();
        var key = (await MainAsync()).ChangeKey!;
        await Changes().AddEntityAsync(new ChangeRow { PartitionKey = ChangeKeys.PartitionKey(stamp), RowKey = key, CallId = CallId, ChangeKind = ChangeKinds.Void, ChangedAt = stamp }, TestContext.Current.CancellationToken);

        var found = Assert.Single(await ChangeDiscrepanciesAsync(stamp + TimeSpan.FromHours(1)));

        Assert.Equal(new { Kind = DiscrepancyKind.Missing, Where = $"{ChangeKeys.PartitionKey(stamp)} / {key}" }, new { found.Kind, found.Where });
        Assert.StartsWith("a void row, not the created change, at the main row's ChangeKey; the main row holds scored ", found.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_version_with_its_change_is_consistent()
    {
        await TestCalls.Writer(Tables(), _clock).WriteAsync(TestCalls.Fresh(TestCalls.Scored(CallId, 1)), PriorRow.Unknown, TestContext.Current.CancellationToken);

        Assert.Empty(await ChangeDiscrepanciesAsync(_clock.GetUtcNow() + TimeSpan.FromHours(1)));
    }

    /// <summary>Commits a version through the writer, then deletes its change row (a writer that died after its commit); its stamp.</summary>
    private async Task<DateTimeOffset> StoreWithoutItsChangeAsync()
    {
        await TestCalls.Writer(Tables(), _clock).WriteAsync(TestCalls.Fresh(TestCalls.Scored(CallId, 1)), PriorRow.Unknown, TestContext.Current.CancellationToken);
        var key = (await MainAsync()).ChangeKey!;
        var stamp = ChangeKeys.StampOf(key);
        await Changes().DeleteEntityAsync(ChangeKeys.PartitionKey(stamp), key, cancellationToken: TestContext.Current.CancellationToken);
        return stamp;
    }

    /// <summary>What verify finds about the call in <c>AthosCallChanges</c> at <paramref name="now"/>.</summary>
    private async Task<List<Discrepancy>> ChangeDiscrepanciesAsync(DateTimeOffset now, TimeSpan? retention = null)
    {
        var options = Options.Create(new ChangeFeedOptions { Retention = retention ?? ChangeFeedOptions.DefaultRetention });
        var checker = new CallConsistencyChecker(Tables(), new BlobServiceClient(storage.ConnectionString), new CallIndex(Tables()), options);
        var call = await checker.CheckCallAsync(CallId, [], now, TestContext.Current.CancellationToken);
        return [.. call.Discrepancies.Where(d => d.Table == StorageNames.CallChangesTable)];
    }

    private async Task<CallRow> MainAsync() => (await new TestTables(storage.ConnectionString).MainAsync(CallId))!;

    private TableClient Changes() => Tables().GetTableClient(StorageNames.CallChangesTable);

    private TableServiceClient Tables() => new(storage.ConnectionString);
}
