using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Changes;
using Athos.Webhooks.Cli.Commands;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Enrichment;
using Athos.Webhooks.Functions;
using Athos.Webhooks.Health;
using Athos.Webhooks.Hosting;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace Athos.Webhooks.Tests.Erasure;

/// <summary>
/// <c>forget</c> holds: a call erased while it is parked, marked as queued, on the queue and on the poison queue is
/// stored by no path again (redrive, reconcile, rescan, backfill, a new webhook), and the change feed says once that it
/// was erased. Real Azurite, the simulator over HTTP, the real processing path and the real <c>forget</c> command.
/// </summary>
public sealed class CallEraserTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private AthosSimulator _simulator = null!;
    private TestQueues _queues = null!;
    private QueueClient _poison = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 2424, FailureRate = 0 });
        _queues = new TestQueues(storage.ConnectionString);
        _poison = new QueueClient(storage.ConnectionString, StorageNames.PoisonQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task A_forgotten_call_is_stored_by_no_path_again_and_the_feed_has_one_erased_change()
    {
        var ct = TestContext.Current.CancellationToken;
        var now = DateTimeOffset.UtcNow;
        var calls = _simulator.AddCalls(2, now.AddHours(-3), now.AddHours(-2));
        var (gone, kept) = (calls[0].Id, calls[1].Id);
        await using var app = await StartAppAsync();

        // Both stored by their webhooks: rows, archive blob, recording, change, delivery ledger.
        await PostAsync(app, WebhookRequests.CallScored(gone, occurredAt: calls[0].ScoredAt, webhookRequestId: "req_first"), "wh_first");
        await PostAsync(app, WebhookRequests.CallScored(kept, occurredAt: calls[1].ScoredAt, webhookRequestId: "req_kept"), "wh_kept");
        Assert.Equal([WorkOutcome.Stored, WorkOutcome.Stored], await QueueDrainer.DrainAsync(app, _queues));

        // A worker holds a delivery of its scoring failure, invisible to anyone else while forget runs.
        await PostAsync(app, WebhookRequests.CallScored(gone, success: false, webhookRequestId: "req_held"), "wh_held");
        var heldQueue = new QueueClient(storage.ConnectionString, StorageNames.CallsQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var held = (await heldQueue.ReceiveMessageAsync(TimeSpan.FromMinutes(10), ct)).Value;

        // Athos rescores it: a reconcile queues it (marked as queued), and the rescore's webhook is queued too.
        _simulator.Rescore(gone, now.AddMinutes(-30));
        var reconciled = await app.Get<Reconciler>().RunAsync(ct);
        Assert.Equal(new { Missing = 0, Stale = 1, Queued = 1 }, new { reconciled.Missing, reconciled.Stale, reconciled.Queued });
        Assert.True(await app.Get<QueuedCalls>().IsPendingAsync(CallId.Parse(gone), ct));
        await PostAsync(app, WebhookRequests.CallScored(gone, occurredAt: now.AddMinutes(-30), webhookRequestId: "req_rescored"), "wh_rescored");

        // A scoring failure whose last attempt crashed: the host moved it to the poison queue, whence it was parked; and
        // one more item still waits there.
        await _poison.SendMessageAsync(WorkItemSerializer.Serialize(Failure(gone)), cancellationToken: ct);
        Assert.Equal(1, await app.Get<PoisonSweeper>().SweepAsync(ct));
        await _poison.SendMessageAsync(WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Webhook, CallId = CallId.Parse(gone), WebhookId = "wh_poisoned" }), cancellationToken: ct);

        // Another call's rescore waits on the queue too: forget must leave it there.
        _simulator.Rescore(kept, now.AddMinutes(-20));
        await PostAsync(app, WebhookRequests.CallScored(kept, occurredAt: now.AddMinutes(-20), webhookRequestId: "req_kept_rescored"), "wh_kept_rescored");

        var forget = new StringWriter();
        Assert.Equal(0, await ForgetCommand.RunAsync(Configuration(), forget, new StringWriter(), gone, OutputFormat.Table, allowRestore: false, ct));
        var printed = forget.ToString();
        Assert.Contains($"removed  AthosParkedWork: row ", printed, StringComparison.Ordinal);
        Assert.Contains($"removed  AthosState: queued mark {gone}", printed, StringComparison.Ordinal);
        Assert.Equal(2, printed.Split('\n').Count(l => l.StartsWith($"removed  {StorageNames.CallsQueue}: message ", StringComparison.Ordinal)));
        Assert.Single(printed.Split('\n'), l => l.StartsWith($"removed  {StorageNames.PoisonQueue}: message ", StringComparison.Ordinal));
        Assert.DoesNotContain(kept, printed, StringComparison.Ordinal);

        // The held delivery completes now, then every other path runs: redrive, reconcile, rescan, backfill, new webhooks.
        var outcomes = new List<WorkOutcome> { await app.Get<WorkItemProcessor>().ProcessAsync(held.Body, held.MessageId, held.DequeueCount, ct) };
        await heldQueue.DeleteMessageAsync(held.MessageId, held.PopReceipt, ct);
        var redriven = await app.Get<ParkedRedrive>().RunAsync(dryRun: false, ct);
        Assert.Equal(0, redriven.Found);
        Assert.Equal([WorkOutcome.Stored], await QueueDrainer.DrainAsync(app, _queues));
        var again = await app.Get<Reconciler>().RunAsync(ct);
        Assert.Equal(new { Missing = 0, Stale = 0, Queued = 0 }, new { again.Missing, again.Stale, again.Queued });
        var completeness = await app.Get<CompletenessCheck>().CheckAsync(now.AddDays(-1), DateTimeOffset.UtcNow, again.Contract, ct);
        Assert.Equal(new { Missing = 0, Stale = 0, Erased = 1 }, new { completeness.Missing, completeness.Stale, Erased = completeness.Sources.Sum(s => s.Erased) });
        Assert.NotNull(await app.Get<Backfiller>().StartRescanJobAsync(DateTimeOffset.UtcNow, ct));
        await app.Get<Backfiller>().StartAsync(now.AddDays(-2), now, cancellationToken: ct);
        Assert.DoesNotContain(await QueueDrainer.DrainAsync(app, _queues), o => o != WorkOutcome.PageProcessed);
        var fetchesBefore = _simulator.Requests.DetailRequestsFor(gone);
        await using (var deployed = await StartAppAsync(("ATHOS_RECONCILE_QUEUE_DELAY", "00:10:00")))
        {
            // With a queue delay (the longest allowed, so that a slow machine changes nothing), a webhook item this young
            // writes on the guess that its call is new.
            await PostAsync(deployed, WebhookRequests.CallScored(gone, webhookRequestId: "req_after"), "wh_after");
            await PostAsync(deployed, WebhookRequests.CallScored(gone, success: false, webhookRequestId: "req_failed_after"), "wh_failed_after");
            outcomes.AddRange(await QueueDrainer.DrainAsync(deployed, _queues, parallelism: 1));
        }


        // Every item of the call completed as erased; the young webhook did fetch (it writes on the guess that the call is
        // new, at no extra request), met the tombstone and took back what it had put.
        Assert.Equal([WorkOutcome.Erased, WorkOutcome.Erased, WorkOutcome.Erased], outcomes);
        Assert.Equal(fetchesBefore + 1, _simulator.Requests.DetailRequestsFor(gone));
        var tombstone = await new TestTables(storage.ConnectionString).MainAsync(gone);
        Assert.Equal(CallStatus.Erased, tombstone?.Status);
        var columns = (await new TableClient(storage.ConnectionString, StorageNames.CallsTable).GetEntityAsync<TableEntity>(gone, string.Empty, cancellationToken: ct)).Value.Keys;
        Assert.Equal(["CallId", "ChangeKey", "ChangeKind", "ErasedAt", "PartitionKey", "RowKey", "SchemaVersion", "Status"], columns.Where(c => c is not ("odata.etag" or "Timestamp")).Order(StringComparer.Ordinal));
        var erasedKey = tombstone!.ChangeKey!;
        Assert.Equal(
            new[] { $"{StorageNames.CallsTable}/{gone}/", $"{StorageNames.CallChangesTable}/{ChangeKeys.PartitionKey(ChangeKeys.StampOf(erasedKey))}/{erasedKey}", $"{StorageNames.StateTable}/erased/{gone}" }.Order(StringComparer.Ordinal),
            (await EverythingOfAsync(gone)).Order(StringComparer.Ordinal));
        var changes = await ChangesOfAsync(gone);
        var erased = Assert.Single(changes);
        Assert.Equal(new { Kind = CallChangeKind.Erased, KindName = "erased", Status = string.Empty, OverallScore = (double?)null, ExternalUserId = (string?)null }, new { erased.Kind, erased.KindName, erased.Status, erased.OverallScore, erased.ExternalUserId });
        Assert.Null(await Feed().GetCallAsync(gone, ct));
        Assert.NotNull(await Feed().GetCallAsync(kept, ct));
        Assert.True((await app.Get<CallConsistencyChecker>().CheckAsync(now.AddHours(-1), DateTimeOffset.UtcNow, ct)).IsConsistent);

        // Erasing again is harmless: still one erased change.
        var rerun = new StringWriter();
        Assert.Equal(0, await ForgetCommand.RunAsync(Configuration(), rerun, new StringWriter(), gone, OutputFormat.Table, allowRestore: false, ct));
        Assert.Contains($"Nothing of {gone} was stored", rerun.ToString(), StringComparison.Ordinal);
        Assert.Equal(changes.Select(c => c.Checkpoint), (await ChangesOfAsync(gone)).Select(c => c.Checkpoint));

        // Lifted: the next reconcile stores it again, and the feed follows the erasure with its new version.
        var restore = new StringWriter();
        Assert.Equal(0, await ForgetCommand.RunAsync(Configuration(), restore, new StringWriter(), gone, OutputFormat.Table, allowRestore: true, ct));
        Assert.StartsWith($"lifted   {StorageNames.CallsTable}: tombstone {gone} (erased ", restore.ToString(), StringComparison.Ordinal);
        var restored = await app.Get<Reconciler>().RunAsync(ct);
        Assert.Equal(new { Missing = 1, Queued = 1 }, new { restored.Missing, restored.Queued });
        Assert.Equal([WorkOutcome.Stored], await QueueDrainer.DrainAsync(app, _queues));
        Assert.Equal(_simulator.Calls.Find(gone)!.ScoredAt, (await Feed().GetCallAsync(gone, ct))?.ScoredAt);
        Assert.Equal([CallChangeKind.Erased, CallChangeKind.Created], (await ChangesOfAsync(gone)).Select(c => c.Kind));
        Assert.DoesNotContain(await EverythingOfAsync(gone), e => e.StartsWith($"{StorageNames.StateTable}/erased/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restoring_a_call_that_is_not_erased_says_so_and_exits_1()
    {
        var ct = TestContext.Current.CancellationToken;
        var call = _simulator.AddCalls(1, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddHours(-2))[0];
        await using (var app = await StartAppAsync())
        {
            await PostAsync(app, WebhookRequests.CallScored(call.Id, occurredAt: call.ScoredAt), "wh_stored");
            Assert.Equal([WorkOutcome.Stored], await QueueDrainer.DrainAsync(app, _queues));
        }

        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await ForgetCommand.RunAsync(Configuration(), output, error, call.Id, OutputFormat.Json, allowRestore: true, ct);

        Assert.Equal(1, exit);
        Assert.Equal($"--allow-restore: {call.Id} is not erased (AthosCalls holds no tombstone for it), so there is nothing to lift; forget erases a call.", error.ToString().Trim());
        Assert.Empty(output.ToString());
        Assert.Equal(CallStatus.Scored, (await new TestTables(storage.ConnectionString).MainAsync(call.Id))?.Status);
    }

    private static ScoringFailedWorkItem Failure(string callId) => new()
    {
        Origin = WorkOrigin.Webhook,
        CallId = CallId.Parse(callId),
        WebhookId = "wh_parked",
        OccurredAt = DateTimeOffset.UtcNow.AddHours(-1),
        Reason = "SCORING_INCOMPLETE",
        ExternalUserId = "rep_8842",
        ReceivedAt = DateTimeOffset.UtcNow.AddHours(-1),
    };

    private Task<TestApp> StartAppAsync(params (string Name, string? Value)[] overrides) =>
        TestApp.StartAsync(_simulator, storage.Azurite, [("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050"), ("ATHOS_RECONCILE_OVERLAP", "1.00:00:00"), .. overrides]);

    private async Task PostAsync(TestApp app, byte[] body, string webhookId)
    {
        var request = WebhookRequests.Build(body, WebhookSigner.Header(_simulator.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body), webhookId);
        var answer = await WebhookRequests.ExecuteAsync(await new AthosWebhookFunction(app.Get<IAthosHttpHandlers>()).RunAsync(request, TestContext.Current.CancellationToken), request);
        Assert.Equal(202, answer.Status);
    }

    private CallChangeFeed Feed() => new(new TableServiceClient(storage.ConnectionString), ChangeFeedOptions.DefaultRetention, TimeProvider.System, TimeSpan.Zero);

    private async Task<List<CallChange>> ChangesOfAsync(string callId)
    {
        var changes = new List<CallChange>();
        CallChangePage page;
        string? checkpoint = null;
        do
        {
            page = await Feed().ReadChangesAsync(checkpoint, cancellationToken: TestContext.Current.CancellationToken);
            changes.AddRange(page.Changes.Where(c => c.CallId == callId));
            checkpoint = page.Checkpoint;
        }
        while (page.HasMore);

        return changes;
    }

    /// <summary>Everything of a call in storage: rows of every table (by key or <c>CallId</c>), blobs, messages on both queues.</summary>
    private async Task<List<string>> EverythingOfAsync(string callId)
    {
        var found = new List<string>();
        var tables = new TableServiceClient(storage.ConnectionString);
        await foreach (var table in tables.QueryAsync())
        {
            await foreach (var row in tables.GetTableClient(table.Name).QueryAsync<TableEntity>($"CallId eq '{callId}' or PartitionKey eq '{callId}' or RowKey eq '{callId}'"))
            {
                found.Add($"{table.Name}/{row.PartitionKey}/{row.RowKey}");
            }
        }

        var blobs = new BlobServiceClient(storage.ConnectionString);
        await foreach (var container in blobs.GetBlobContainersAsync())
        {
            await foreach (var blob in blobs.GetBlobContainerClient(container.Name).GetBlobsAsync(BlobTraits.None, BlobStates.None, callId, CancellationToken.None))
            {
                found.Add($"{container.Name}/{blob.Name}");
            }
        }

        foreach (var queue in new[] { StorageNames.CallsQueue, StorageNames.PoisonQueue })
        {
            var client = new QueueClient(storage.ConnectionString, queue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
            foreach (var message in (await client.PeekMessagesAsync(32)).Value)
            {
                if (message.Body.ToString().Contains(callId, StringComparison.Ordinal))
                {
                    found.Add($"{queue}/{message.MessageId}");
                }
            }
        }

        return found;
    }

    private IConfiguration Configuration()
    {
        var settings = StackSettings.For(_simulator, storage.Azurite);
        return new ConfigurationBuilder().AddInMemoryCollection(settings.Where(s => s.Value is not null)).Build();
    }
}
