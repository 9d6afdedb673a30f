using Athos.Simulator;
using Athos.Webhooks.Changes;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Tests.Fixtures;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Tests.Changes;

/// <summary><c>ATHOS_CHANGE_RETENTION</c>: validated at start-up, applied by the daily housekeeping.</summary>
public sealed class CallChangeRetentionTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task The_daily_housekeeping_purges_the_changes_past_the_retention_beside_the_delivery_ledger()
    {
        await storage.ResetAsync();
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 15, FailureRate = 0 }, cancellationToken: TestContext.Current.CancellationToken);
        var now = DateTimeOffset.UtcNow;
        var changes = new TableClient(storage.ConnectionString, StorageNames.CallChangesTable);
        foreach (var (id, age) in new[] { ("athos_call_old", TimeSpan.FromDays(32)), ("athos_call_kept", TimeSpan.FromDays(29)) })
        {
            var stamp = now - age;
            await changes.AddEntityAsync(new ChangeRow { PartitionKey = ChangeKeys.PartitionKey(stamp), RowKey = ChangeKeys.RowKey(stamp, id), CallId = id, ChangeKind = ChangeKinds.Created, ChangedAt = stamp, Status = CallStatus.Scored }, TestContext.Current.CancellationToken);
        }

        await using var app = await TestApp.StartAsync(simulator, storage.Azurite, [("ATHOS_CHANGE_RETENTION", "30.00:00:00"), ("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050")]);

        await app.Get<Housekeeping>().RunAsync(TestContext.Current.CancellationToken);
        await app.Get<Housekeeping>().RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["athos_call_kept"], (await TestCalls.ChangeRowsAsync(storage.ConnectionString)).Select(r => r.CallId));
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == LogEvents.ChangesPurged);
        var feed = new CallChangeFeed(new TableServiceClient(storage.ConnectionString), TimeProvider.System, TimeSpan.FromDays(400));
        await Assert.ThrowsAsync<CheckpointExpiredException>(() => feed.ReadChangesAsync(CallChangeFeed.CheckpointAt(now - TimeSpan.FromDays(31)), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(["athos_call_kept"], (await feed.ReadChangesAsync(CallChangeFeed.CheckpointAt(now - TimeSpan.FromDays(30)), cancellationToken: TestContext.Current.CancellationToken)).Changes.Select(c => c.CallId));
    }

    [Theory]
    [InlineData("12:00:00")]
    [InlineData("401.00:00:00")]
    public async Task A_retention_out_of_range_stops_start_up_naming_ATHOS_CHANGE_RETENTION(string value)
    {
        var settings = StackSettings.For(null, null);
        settings[ChangeFeedOptions.RetentionSetting] = value;

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(settings));

        var failures = error is AggregateException aggregate ? aggregate.InnerExceptions : [error];
        Assert.Contains(failures, f => f is OptionsValidationException && f.Message.Contains("ATHOS_CHANGE_RETENTION must be between 1 and 400 days", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_retention_that_is_not_a_duration_stops_start_up_naming_ATHOS_CHANGE_RETENTION()
    {
        var settings = StackSettings.For(null, null);
        settings[ChangeFeedOptions.RetentionSetting] = "a month";

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(settings));

        Assert.Contains(ChangeFeedOptions.RetentionSetting, Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_retention_is_35_days_unless_set()
    {
        await using var app = await TestApp.StartAsync(StackSettings.For(null, null));

        Assert.Equal(TimeSpan.FromDays(35), app.Get<IOptions<ChangeFeedOptions>>().Value.Retention);
    }
}
