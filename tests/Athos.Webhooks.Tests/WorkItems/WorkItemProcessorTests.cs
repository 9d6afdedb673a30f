using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Functions;
using Athos.Webhooks.Hosting;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Webhooks;
using Athos.Webhooks.WorkItems;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Tests.WorkItems;

/// <summary>
/// Every item ends stored or parked with its reason: the last attempt parks durably (the poison queue's messages would
/// expire after seven days), Athos merely unavailable defers the item, and <c>redrive</c> brings parked work back.
/// </summary>
public sealed class WorkItemProcessorTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    // host.json's numbers, shrunk: three attempts 100 ms apart, so a deferral waits max(1 s, 3 × 100 ms).
    private static readonly QueueOptions FastQueue = new() { VisibilityTimeout = TimeSpan.FromMilliseconds(100), MaxDequeueCount = 3 };

    private AthosSimulator _simulator = null!;
    private TestApp _app = null!;
    private TestQueues _queues = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 2222, FailureRate = 0 });
        _app = await TestApp.StartAsync(
            _simulator,
            storage.Azurite,
            [("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050"), ("ATHOS_HTTP_MAX_RETRIES", "1")],
            services => services.AddSingleton(FastQueue));
        _queues = new TestQueues(storage.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task A_call_Athos_refuses_for_good_is_parked_with_its_reason_on_the_last_attempt_and_redrive_stores_it_once_fixed()
    {
        var call = AddCall();
        _simulator.Faults.Add(r => r.Operation == ApiOperation.Detail && r.CallId == call.Id, new FaultResponse(401, "API_KEY_REVOKED"));
        var body = WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Webhook, CallId = CallId.Parse(call.Id), WebhookId = "wh_refused", ReceivedAt = DateTimeOffset.UtcNow });
        var processor = _app.Get<WorkItemProcessor>();

        for (var attempt = 1; attempt < FastQueue.MaxDequeueCount; attempt++)
        {
            await Assert.ThrowsAsync<AthosApiException>(() => processor.ProcessAsync(body, "msg-refused", attempt, TestContext.Current.CancellationToken));
        }

        var last = await processor.ProcessAsync(body, "msg-refused", FastQueue.MaxDequeueCount, TestContext.Current.CancellationToken);

        Assert.Equal(WorkOutcome.Parked, last);
        var parked = Assert.Single(await _app.Get<ParkedWork>().ListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(new { Reason = ParkReason.AthosRefused, AthosStatus = (int?)401, AthosErrorCode = (string?)"API_KEY_REVOKED", CallId = (string?)call.Id, Kind = (string?)"fetch", WebhookId = (string?)"wh_refused", DequeueCount = (long)FastQueue.MaxDequeueCount }, new { parked.Reason, parked.AthosStatus, parked.AthosErrorCode, parked.CallId, parked.Kind, parked.WebhookId, parked.DequeueCount });
        Assert.StartsWith("req_", parked.AthosRequestId, StringComparison.Ordinal);
        Assert.StartsWith("parked (athos_refused): ", (await _app.Get<DeliveryLedger>().FindAsync(call.Id, "wh_refused", TestContext.Current.CancellationToken))!.LastError, StringComparison.Ordinal);

        // The key is fixed: redrive puts it back and it is stored.
        _simulator.Faults.Clear();
        var redriven = await _app.Get<ParkedRedrive>().RunAsync(dryRun: false, TestContext.Current.CancellationToken);
        await QueueDrainer.DrainAsync(_app, _queues);

        Assert.Equal(new { Found = 1, Moved = 1, Unreadable = 0 }, new { redriven.Found, redriven.Moved, redriven.Unreadable });
        Assert.Empty(await _app.Get<ParkedWork>().ListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(call.ScoredAt, (await new TestTables(storage.ConnectionString).MainAsync(call.Id))!.ScoredAt);
    }

    [Fact]
    public async Task Athos_unavailable_on_the_last_attempt_defers_the_item_and_an_item_a_day_old_is_parked()
    {
        var call = AddCall();
        _simulator.Faults.Add(r => r.Operation == ApiOperation.Detail, FaultResponse.ServiceUnavailable);
        var fresh = new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id), ReceivedAt = DateTimeOffset.UtcNow };
        var processor = _app.Get<WorkItemProcessor>();

        var deferred = await processor.ProcessAsync(WorkItemSerializer.Serialize(fresh), "msg-fresh", FastQueue.MaxDequeueCount, TestContext.Current.CancellationToken);
        var invisibleAtFirst = await _queues.CountVisibleAsync();
        var tooOld = await processor.ProcessAsync(WorkItemSerializer.Serialize(fresh with { ReceivedAt = DateTimeOffset.UtcNow.AddDays(-1.5) }), "msg-old", FastQueue.MaxDequeueCount, TestContext.Current.CancellationToken);

        Assert.Equal(new { Deferred = WorkOutcome.Deferred, TooOld = WorkOutcome.Parked, InvisibleAtFirst = 0 }, new { Deferred = deferred, TooOld = tooOld, InvisibleAtFirst = invisibleAtFirst });
        Assert.True(await _app.Get<QueuedCalls>().IsPendingAsync(CallId.Parse(call.Id), TestContext.Current.CancellationToken), "the deferred call is pending for the reconciler");
        Assert.Equal(ParkReason.AthosUnavailable, Assert.Single(await _app.Get<ParkedWork>().ListAsync(TestContext.Current.CancellationToken)).Reason);

        // The copy reappears after its delay, counted, and is stored once Athos is back.
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);
        var copy = Assert.IsType<FetchCallWorkItem>(Assert.Single(await _queues.PeekAllAsync()));
        Assert.Equal(new { Value = call.Id, Deferrals = 1, Origin = WorkOrigin.Reconcile }, new { copy.CallId.Value, copy.Deferrals, copy.Origin });
        _simulator.Faults.Clear();
        Assert.Equal([WorkOutcome.Stored], await QueueDrainer.DrainAsync(_app, _queues));
        Assert.False(await _app.Get<QueuedCalls>().IsPendingAsync(CallId.Parse(call.Id), TestContext.Current.CancellationToken), "done: the mark is cleared");
    }

    [Fact]
    public async Task A_Retry_After_longer_than_the_next_attempt_re_schedules_the_item_without_spending_an_attempt()
    {
        var call = AddCall();
        _simulator.Faults.Add(r => r.Operation == ApiOperation.Detail && r.CallId == call.Id, FaultResponse.Throttled(TimeSpan.FromSeconds(4)), times: 1);
        await using var app = await TestApp.StartAsync(
            _simulator,
            storage.Azurite,
            [("ATHOS_HTTP_ATTEMPT_TIMEOUT", "00:00:01"), ("ATHOS_HTTP_TOTAL_TIMEOUT", "00:00:03")],
            services => services.AddSingleton(FastQueue));
        var item = new FetchCallWorkItem { Origin = WorkOrigin.Webhook, CallId = CallId.Parse(call.Id), WebhookId = "wh_wait", ReceivedAt = DateTimeOffset.UtcNow };

        var outcome = await app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(item), "msg-wait", 1, TestContext.Current.CancellationToken);
        var visibleAtOnce = await _queues.CountVisibleAsync();

        Assert.Equal(new { Outcome = WorkOutcome.Deferred, VisibleAtOnce = 0 }, new { Outcome = outcome, VisibleAtOnce = visibleAtOnce });
        Assert.Equal(1, _simulator.Requests.DetailRequestsFor(call.Id));
        await Task.Delay(TimeSpan.FromSeconds(4.5), TestContext.Current.CancellationToken);
        var copy = Assert.IsType<FetchCallWorkItem>(Assert.Single(await _queues.PeekAllAsync()));
        Assert.Equal(new { Deferrals = 1, WebhookId = (string?)"wh_wait" }, new { copy.Deferrals, copy.WebhookId });
        Assert.Equal([WorkOutcome.Stored], await QueueDrainer.DrainAsync(app, _queues));
    }

    [Fact]
    public async Task A_message_that_is_not_a_work_item_is_parked_at_once_and_stays_parked_on_redrive()
    {
        var outcome = await _app.Get<WorkItemProcessor>().ProcessAsync(BinaryData.FromString("""{"kind":"teleport","v":1}"""), "msg-junk", 1, TestContext.Current.CancellationToken);

        Assert.Equal(WorkOutcome.Parked, outcome);
        var parked = Assert.Single(await _app.Get<ParkedWork>().ListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(new { Reason = ParkReason.InvalidWorkItem, RowKey = "msg-junk", Kind = (string?)null }, new { parked.Reason, parked.RowKey, parked.Kind });
        var redriven = await _app.Get<ParkedRedrive>().RunAsync(dryRun: false, TestContext.Current.CancellationToken);
        Assert.Equal(new { Found = 1, Moved = 0, Unreadable = 1 }, new { redriven.Found, redriven.Moved, redriven.Unreadable });
    }

    [Fact]
    public async Task What_the_host_moves_to_the_poison_queue_is_parked_where_it_does_not_expire()
    {
        var call = AddCall();
        var poison = new QueueClient(storage.ConnectionString, StorageNames.PoisonQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var body = WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) });
        await poison.SendMessageAsync(body, cancellationToken: TestContext.Current.CancellationToken);
        var message = (await poison.ReceiveMessageAsync(cancellationToken: TestContext.Current.CancellationToken)).Value;

        // The Functions app's poison trigger for one message, and the runner's sweep for whatever else is there.
        await new ParkPoisonFunction(_app.Get<IQueueMessageProcessor>()).RunAsync(message, TestContext.Current.CancellationToken);
        await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, TestContext.Current.CancellationToken);
        await poison.SendMessageAsync(body, cancellationToken: TestContext.Current.CancellationToken);
        var swept = await _app.Get<PoisonSweeper>().SweepAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, swept);
        Assert.Equal(0, (await poison.GetPropertiesAsync(TestContext.Current.CancellationToken)).Value.ApproximateMessagesCount);
        var parked = await _app.Get<ParkedWork>().ListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, parked.Count);
        Assert.All(parked, p => Assert.Equal(new { Reason = ParkReason.MovedToPoison, CallId = (string?)call.Id }, new { p.Reason, p.CallId }));
    }

    private SimulatedCall AddCall() => _simulator.AddCalls(1, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddHours(-1))[0];
}
