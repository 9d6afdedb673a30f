using System.Text.Json;
using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Tests.Infrastructure;
using Athos.Webhooks.Webhooks;
using Athos.Webhooks.WorkItems;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.Azure;

namespace Athos.Webhooks.Tests.Enrichment;

/// <summary>
/// What each hot path costs in storage requests, by name (docs/performance.md), so that a later change cannot silently
/// add one; and that the cheaper paths still converge when their guess is wrong.
/// </summary>
public sealed class HotPathRequestTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly StorageRequestCounter _counter = new();
    private AthosSimulator _simulator = null!;
    private TestApp _app = null!;
    private TestTables _tables = null!;
    private int _messages;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 61 });
        _app = await TestApp.StartAsync(
            _simulator,
            storage.Azurite,
            [("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050")],
            services => services.AddAzureClients(azure => azure.ConfigureDefaults(options => options.AddPolicy(_counter, HttpPipelinePosition.PerCall))));
        _tables = new TestTables(storage.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    /// <summary>
    /// A webhook announces a call when it is first scored: the writer inserts without reading first, and the delivery
    /// ledger is written once, by the claim that guards against a second fetch.
    /// </summary>
    [Fact]
    public async Task A_new_webhook_call_costs_the_claim_the_blob_two_index_inserts_and_the_main_insert()
    {
        var call = AddScoredCall();
        _counter.Reset();

        Assert.Equal(WorkOutcome.Stored, await ProcessAsync(Webhook(call.Id, "wh_new")));

        Assert.Equal(
            ["POST AthosWebhookDeliveries", "PUT athos-calls", "POST AthosCallsByUser", "POST AthosCallsByDay", "POST AthosCalls"],
            Requests());
    }

    [Fact]
    public async Task A_reconcile_item_for_a_missing_call_reads_the_main_row_once()
    {
        var call = AddScoredCall();
        _counter.Reset();

        Assert.Equal(WorkOutcome.Stored, await ProcessAsync(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id), ListedScoredAt = call.ScoredAt }));

        Assert.Equal(["GET AthosCalls", "PUT athos-calls", "POST AthosCallsByUser", "POST AthosCallsByDay", "POST AthosCalls"], Requests());
    }

    [Fact]
    public async Task A_listed_version_already_stored_costs_one_read_and_no_fetch()
    {
        var call = AddScoredCall();
        await ProcessAsync(Webhook(call.Id, "wh_first"));
        var fetches = _simulator.Requests.DetailRequestsFor(call.Id);
        _counter.Reset();

        Assert.Equal(WorkOutcome.Unchanged, await ProcessAsync(new FetchCallWorkItem { Origin = WorkOrigin.Rescan, CallId = CallId.Parse(call.Id), ListedScoredAt = call.ScoredAt }));

        Assert.Equal(["GET AthosCalls"], Requests());
        Assert.Equal(fetches, _simulator.Requests.DetailRequestsFor(call.Id));
    }

    [Fact]
    public async Task An_unchanged_version_fetched_again_costs_one_read_and_no_write()
    {
        var call = AddScoredCall();
        await ProcessAsync(Webhook(call.Id, "wh_first"));
        _counter.Reset();

        Assert.Equal(WorkOutcome.Unchanged, await ProcessAsync(new FetchCallWorkItem { Origin = WorkOrigin.Rescan, CallId = CallId.Parse(call.Id) }));

        Assert.Equal(["GET AthosCalls"], Requests());
    }

    [Fact]
    public async Task A_repeated_delivery_costs_no_fetch_and_only_the_ledger()
    {
        var call = AddScoredCall();
        await ProcessAsync(Webhook(call.Id, "wh_twice"));
        var fetches = _simulator.Requests.DetailRequestsFor(call.Id);
        _counter.Reset();

        Assert.Equal(WorkOutcome.Duplicate, await ProcessAsync(Webhook(call.Id, "wh_twice")));

        Assert.Equal(fetches, _simulator.Requests.DetailRequestsFor(call.Id));
        Assert.All(Requests(), r => Assert.EndsWith(" AthosWebhookDeliveries", r, StringComparison.Ordinal));
        Assert.Equal(2, Assert.Single(await _tables.DeliveriesAsync()).Deliveries);
    }

    /// <summary>A ledger row an earlier version completed (<c>processed</c>) still makes a repeat a duplicate.</summary>
    [Theory]
    [InlineData(DeliveryStatus.Processed)]
    [InlineData(DeliveryStatus.Processing)]
    public async Task A_ledger_row_of_an_earlier_version_is_read_as_claimed(string status)
    {
        var call = AddScoredCall();
        var ledger = new TableClient(storage.ConnectionString, StorageNames.WebhookDeliveriesTable);
        await ledger.AddEntityAsync(new DeliveryRecord { PartitionKey = "wh_old", CallId = call.Id, Status = status, Outcome = "stored", MessageId = "msg-of-before", ReceivedAt = DateTimeOffset.UtcNow, LastReceivedAt = DateTimeOffset.UtcNow }, TestContext.Current.CancellationToken);

        Assert.Equal(WorkOutcome.Duplicate, await ProcessAsync(Webhook(call.Id, "wh_old")));

        Assert.Equal(0, _simulator.Requests.DetailRequestsFor(call.Id));
    }

    /// <summary>The guess that a webhook's call is new is wrong when a reconcile stored it first: nothing changes.</summary>
    [Fact]
    public async Task A_webhook_for_a_call_already_stored_at_that_version_changes_nothing()
    {
        var call = AddScoredCall();
        await ProcessAsync(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) });
        var before = await SnapshotAsync(call.Id);

        Assert.Equal(WorkOutcome.Unchanged, await ProcessAsync(Webhook(call.Id, "wh_late")));

        Assert.Equal(before, await SnapshotAsync(call.Id));
    }

    /// <summary>
    /// Wrong the other way: a newer version (in a different day and for another rep) is stored while an older one is
    /// written on the guess. The older one's index rows at its own keys are removed, the blob keeps the newer body.
    /// </summary>
    [Fact]
    public async Task A_webhook_fetch_older_than_the_stored_version_leaves_the_newer_one_whole()
    {
        var original = AddScoredCall();
        var moved = _simulator.Rescore(original.Id, original.ScoredAt!.Value.AddHours(2)) with
        {
            EndedAt = original.EndedAt.AddDays(-1),
            StartedAt = original.StartedAt.AddDays(-1),
            ExternalUserId = "rep_elsewhere",
        };
        _simulator.Calls.Update(original.Id, _ => moved);
        await ProcessAsync(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(original.Id) });
        var before = await SnapshotAsync(original.Id);

        _simulator.Calls.Update(original.Id, _ => original);
        Assert.Equal(WorkOutcome.Unchanged, await ProcessAsync(Webhook(original.Id, "wh_old")));

        Assert.Equal(before, await SnapshotAsync(original.Id));
        var (byUser, byDay) = await _tables.IndexRowsAsync(original.Id);
        Assert.Equal(["rep_elsewhere"], byUser.Select(r => r.PartitionKey));
        Assert.Single(byDay);
    }

    private static FetchCallWorkItem Webhook(string callId, string webhookId) => new()
    {
        Origin = WorkOrigin.Webhook,
        CallId = CallId.Parse(callId),
        WebhookId = webhookId,
        ReceivedAt = DateTimeOffset.UtcNow,
    };

    private List<string> Requests() => [.. _counter.Requests.Select(r => StorageRequest.Of(r.Method, r.Uri).ToString())];

    private Task<WorkOutcome> ProcessAsync(WorkItem item) =>
        _app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(item), "msg-" + Interlocked.Increment(ref _messages), 1, TestContext.Current.CancellationToken);

    private SimulatedCall AddScoredCall()
    {
        var call = _simulator.Generator.Generate(DateTimeOffset.UtcNow.AddHours(-2));
        call = call.State == CallState.Scored ? call : _simulator.Generator.Rescore(call, DateTimeOffset.UtcNow.AddHours(-2).AddMinutes(1));
        call = call with { ExternalUserId = "rep_here" };
        _simulator.Calls.Add(call);
        return call;
    }

    private async Task<string> SnapshotAsync(string callId)
    {
        var (byUser, byDay) = await _tables.IndexRowsAsync(callId);
        return string.Join('\n', new[] { (await _tables.MainAsync(callId))! }.Concat(byUser).Concat(byDay).Select(r => JsonSerializer.Serialize(r) + r.ETag))
            + Convert.ToBase64String(await _tables.BlobAsync(callId) ?? []);
    }
}
