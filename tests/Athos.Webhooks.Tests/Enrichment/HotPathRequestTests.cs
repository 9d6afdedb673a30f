using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Erasure;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Webhooks;
using Athos.Webhooks.WorkItems;
using Azure.Core;
using Azure.Data.Tables;

namespace Athos.Webhooks.Tests.Enrichment;

/// <summary>
/// What each hot path costs in storage requests, by name (docs/performance.md), so that a later change cannot silently
/// add one; and that the cheaper paths still converge when their guess is wrong.
/// </summary>
public sealed class HotPathRequestTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private EnrichmentStack _stack = null!;

    public async ValueTask InitializeAsync() => _stack = await EnrichmentStack.StartAsync(storage, seed: 61);

    public ValueTask DisposeAsync() => _stack.DisposeAsync();

    [Fact]
    public async Task A_new_webhook_call_costs_the_claim_the_blob_two_index_inserts_the_main_insert_and_its_change()
    {
        var call = AddScoredCall();
        _stack.Counter.Reset();

        Assert.Equal(WorkOutcome.Stored, await _stack.ProcessAsync(Webhook(call.Id, "wh_new")));

        AssertRequests(["POST AthosWebhookDeliveries/$batch"], PreCommitWrites, ["POST AthosCalls", "POST AthosCallChanges"]);
    }

    [Fact]
    public async Task A_reconcile_item_for_a_missing_call_reads_the_main_row_once()
    {
        var call = AddScoredCall();
        _stack.Counter.Reset();

        Assert.Equal(WorkOutcome.Stored, await _stack.ProcessAsync(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id), ListedScoredAt = call.ScoredAt }));

        AssertRequests(["GET AthosCalls"], PreCommitWrites, ["POST AthosCalls", "POST AthosCallChanges"]);
    }

    [Fact]
    public async Task A_listed_version_already_stored_costs_two_reads_and_no_fetch()
    {
        var call = AddScoredCall();
        await _stack.ProcessAsync(Webhook(call.Id, "wh_first"));
        var fetches = _stack.Simulator.Requests.DetailRequestsFor(call.Id);
        _stack.Counter.Reset();

        Assert.Equal(WorkOutcome.Unchanged, await _stack.ProcessAsync(new FetchCallWorkItem { Origin = WorkOrigin.Rescan, CallId = CallId.Parse(call.Id), ListedScoredAt = call.ScoredAt }));

        // The second read makes sure the stored version's change was appended (its writer may have died after its commit).
        Assert.Equal(["GET AthosCalls", "GET AthosCallChanges"], Requests());
        Assert.Equal(fetches, _stack.Simulator.Requests.DetailRequestsFor(call.Id));
    }

    [Fact]
    public async Task An_unchanged_version_fetched_again_costs_two_reads_and_no_write()
    {
        var call = AddScoredCall();
        await _stack.ProcessAsync(Webhook(call.Id, "wh_first"));
        _stack.Counter.Reset();

        Assert.Equal(WorkOutcome.Unchanged, await _stack.ProcessAsync(new FetchCallWorkItem { Origin = WorkOrigin.Rescan, CallId = CallId.Parse(call.Id) }));

        // The second read makes sure the version's change was appended (its writer may have died right after its commit).
        Assert.Equal(["GET AthosCalls", "GET AthosCallChanges"], Requests());
    }

    [Fact]
    public async Task A_repeated_delivery_costs_no_fetch_and_only_the_ledger()
    {
        var call = AddScoredCall();
        await _stack.ProcessAsync(Webhook(call.Id, "wh_twice"));
        var fetches = _stack.Simulator.Requests.DetailRequestsFor(call.Id);
        _stack.Counter.Reset();

        Assert.Equal(WorkOutcome.Duplicate, await _stack.ProcessAsync(Webhook(call.Id, "wh_twice")));

        Assert.Equal(fetches, _stack.Simulator.Requests.DetailRequestsFor(call.Id));
        Assert.All(Requests(), r => Assert.Contains(" AthosWebhookDeliveries", r, StringComparison.Ordinal));
        Assert.Equal(2, Assert.Single(await _stack.Tables.DeliveriesAsync()).Deliveries);
    }

    /// <summary>
    /// A webhook for an erased call, young enough to write on the guess that its call is new: the guess costs a new call
    /// nothing more, and here the insert meets the tombstone. The writer reads it, takes back what it put before the
    /// commit (index rows, blobs) and the delivery's claim, and appends no change.
    /// </summary>
    [Fact]
    public async Task A_young_webhook_for_an_erased_call_meets_the_tombstone_at_its_insert_and_takes_back_what_it_put()
    {
        var call = AddScoredCall();
        await _stack.ProcessAsync(Webhook(call.Id, "wh_first"));
        await _stack.App.Get<CallEraser>().EraseAsync(CallId.Parse(call.Id), TestContext.Current.CancellationToken);
        var fetches = _stack.Simulator.Requests.DetailRequestsFor(call.Id);
        _stack.Counter.Reset();

        Assert.Equal(WorkOutcome.Erased, await _stack.ProcessAsync(Webhook(call.Id, "wh_after")));

        Assert.Equal(fetches + 1, _stack.Simulator.Requests.DetailRequestsFor(call.Id));
        // The blobs go with every version and snapshot (one listing each) and the recording's staged blocks (listed), the
        // claim with them; no change is appended.
        AssertRequests(
            ["POST AthosWebhookDeliveries/$batch"],
            PreCommitWrites,
            ["POST AthosCalls", "GET AthosCalls", "DELETE AthosCallsByUser", "DELETE AthosCallsByDay", "DELETE athos-calls", "GET athos-calls", "GET athos-recordings", "DELETE athos-recordings", "GET athos-recordings", "DELETE AthosWebhookDeliveries"]);
        Assert.Equal(CallStatus.Erased, (await _stack.Tables.MainAsync(call.Id))?.Status);
        var (byUser, byDay) = await _stack.Tables.IndexRowsAsync(call.Id);
        Assert.Empty(byUser);
        Assert.Empty(byDay);
        Assert.Null(await _stack.Tables.BlobAsync(call.Id));
        Assert.Empty(await _stack.Tables.DeliveriesAsync());
    }

    /// <summary>A ledger row an earlier version completed (<c>processed</c>) still makes a repeat a duplicate.</summary>
    [Theory]
    [InlineData(DeliveryStatus.Processed)]
    [InlineData(DeliveryStatus.Processing)]
    public async Task A_ledger_row_of_an_earlier_version_is_read_as_claimed(string status)
    {
        var call = AddScoredCall();
        var ledger = new TableClient(storage.ConnectionString, StorageNames.WebhookDeliveriesTable);
        await ledger.AddEntityAsync(new DeliveryRecord { PartitionKey = call.Id, RowKey = "wh_old", CallId = call.Id, Status = status, Outcome = "stored", MessageId = "msg-of-before", ReceivedAt = DateTimeOffset.UtcNow, LastReceivedAt = DateTimeOffset.UtcNow }, TestContext.Current.CancellationToken);

        Assert.Equal(WorkOutcome.Duplicate, await _stack.ProcessAsync(Webhook(call.Id, "wh_old")));

        Assert.Equal(0, _stack.Simulator.Requests.DetailRequestsFor(call.Id));
    }

    /// <summary>The guess that a webhook's call is new is wrong when a reconcile stored it first: nothing changes.</summary>
    [Fact]
    public async Task A_webhook_for_a_call_already_stored_at_that_version_changes_nothing()
    {
        var call = AddScoredCall();
        await _stack.ProcessAsync(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) });
        var before = await _stack.SnapshotAsync(call.Id);

        Assert.Equal(WorkOutcome.Unchanged, await _stack.ProcessAsync(Webhook(call.Id, "wh_late")));

        Assert.Equal(before, await _stack.SnapshotAsync(call.Id));
    }

    /// <summary>
    /// Wrong the other way: a newer version (in a different day and for another rep) is stored while an older one is
    /// written on the guess. The older one's index rows at its own keys are removed, the blob keeps the newer body.
    /// </summary>
    [Fact]
    public async Task A_webhook_fetch_older_than_the_stored_version_leaves_the_newer_one_whole()
    {
        var original = AddScoredCall();
        var moved = _stack.Simulator.Rescore(original.Id, original.ScoredAt!.Value.AddHours(2)) with
        {
            EndedAt = original.EndedAt.AddDays(-1),
            StartedAt = original.StartedAt.AddDays(-1),
            ExternalUserId = "rep_elsewhere",
        };
        _stack.Simulator.Calls.Update(original.Id, _ => moved);
        await _stack.ProcessAsync(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(original.Id) });
        var before = await _stack.SnapshotAsync(original.Id);

        _stack.Simulator.Calls.Update(original.Id, _ => original);
        Assert.Equal(WorkOutcome.Unchanged, await _stack.ProcessAsync(Webhook(original.Id, "wh_old")));

        Assert.Equal(before, await _stack.SnapshotAsync(original.Id));
        var (byUser, byDay) = await _stack.Tables.IndexRowsAsync(original.Id);
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

    /// <summary>The archive blob and the two index rows, written at once before the commit (in any order).</summary>
    private static readonly string[] PreCommitWrites = ["POST AthosCallsByDay", "POST AthosCallsByUser", "PUT athos-calls"];

    private void AssertRequests(string[] first, string[] atOnce, string[] last)
    {
        var requests = Requests();
        Assert.Equal(first.Length + atOnce.Length + last.Length, requests.Count);
        Assert.Equal([.. first, .. atOnce.Order(StringComparer.Ordinal), .. last], [.. requests[..first.Length], .. requests.Skip(first.Length).Take(atOnce.Length).Order(StringComparer.Ordinal), .. requests[(first.Length + atOnce.Length)..]]);
    }

    private List<string> Requests() => [.. _stack.Counter.Named.Select(r => r.ToString())];

    /// <summary>A scored call by rep_here, so that a test can move it to another rep.</summary>
    private SimulatedCall AddScoredCall() => _stack.AddScoredCall(rep: "rep_here");
}
