using Athos.Simulator;
using Athos.Webhooks.Functions;
using Athos.Webhooks.Hosting;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Core;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Azure;

namespace Athos.Webhooks.Tests.Enrichment;

/// <summary>
/// A call's webhook copy and the reconciler's copy of it, in either order: whichever runs second finds the version
/// stored and costs two reads (the row, and its change, completed if its writer died), not an Athos fetch; a genuine re-score still fetches; and a webhook handled as its call is
/// scored spares the read. The copies are made by the real producers (a signed POST to the receiver, a reconcile run)
/// on Azurite and processed by the worker in the order each test sets.
/// </summary>
public sealed class LateCopyTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string Secret = "whsec_latecopy00000000000000000000000";

    // Short enough to wait for; the calls below were scored minutes before their webhooks are handled, so they are older.
    private static readonly TimeSpan QueueDelay = TimeSpan.FromSeconds(1);

    private readonly StorageRequestCounter _counter = new();
    private AthosSimulator _simulator = null!;
    private TestApp _app = null!;
    private TestQueues _queues = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 22, WebhookSecret = Secret });
        _app = await StartAppAsync(QueueDelay);
        _queues = new TestQueues(storage.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task A_webhook_copy_behind_the_reconcilers_copy_costs_two_reads_and_no_fetch()
    {
        var call = AddScoredCall();
        var (webhookCopy, reconcileCopy) = await BothCopiesAsync(call, "wh_behind");

        Assert.Equal(WorkOutcome.Stored, await ProcessAsync(reconcileCopy));
        _counter.Reset();
        Assert.Equal(WorkOutcome.Unchanged, await ProcessAsync(webhookCopy));

        Assert.Equal(1, _simulator.Requests.DetailRequestsFor(call.Id));
        Assert.Equal(["POST AthosWebhookDeliveries/$batch", "GET AthosCalls", "GET AthosCallChanges"], Requests());
    }

    [Fact]
    public async Task The_reconcilers_copy_behind_a_webhook_copy_costs_two_reads_and_no_fetch()
    {
        var call = AddScoredCall();
        var (webhookCopy, reconcileCopy) = await BothCopiesAsync(call, "wh_ahead");

        Assert.Equal(WorkOutcome.Stored, await ProcessAsync(webhookCopy));
        _counter.Reset();
        Assert.Equal(WorkOutcome.Unchanged, await ProcessAsync(reconcileCopy));

        Assert.Equal(1, _simulator.Requests.DetailRequestsFor(call.Id));
        Assert.Equal("GET AthosCalls", Requests()[0]);
        Assert.DoesNotContain(Requests(), r => r.StartsWith("POST AthosCalls", StringComparison.Ordinal) || r.StartsWith("PUT ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_late_webhook_for_a_genuine_rescore_still_fetches_and_stores_it()
    {
        var call = AddScoredCall();
        await PostWebhookAsync(call, "wh_first");
        Assert.Equal([WorkOutcome.Stored], await QueueDrainer.DrainAsync(_app, _queues));

        var rescored = _simulator.Rescore(call.Id, call.ScoredAt!.Value.AddMinutes(1));
        await PostWebhookAsync(rescored, "wh_rescore");

        Assert.Equal([WorkOutcome.Stored], await QueueDrainer.DrainAsync(_app, _queues));
        Assert.Equal(2, _simulator.Requests.DetailRequestsFor(call.Id));
        var row = await new TestTables(storage.ConnectionString).MainAsync(call.Id);
        Assert.Equal(new { ScoredAt = rescored.ScoredAt, rescored.OverallScore }, new { row!.ScoredAt, row.OverallScore });
    }

    /// <summary>
    /// Whatever Athos's <c>occurredAt</c> means, a row written before the webhook arrived is not taken for the version the
    /// webhook announces: here a re-score's webhook carries a timestamp as old as the call's end (before the stored
    /// version was scored), and the new score is still fetched and stored.
    /// </summary>
    [Fact]
    public async Task A_webhook_whose_occurredAt_is_older_than_a_row_stored_before_it_arrived_still_fetches()
    {
        var call = AddScoredCall();
        await _app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
        Assert.Equal(WorkOutcome.Stored, await ProcessAsync(await ReceiveWhenVisibleAsync()));

        var rescored = _simulator.Rescore(call.Id, call.ScoredAt!.Value.AddMinutes(1));
        await PostAsync(WebhookRequests.CallScored(call.Id, occurredAt: call.EndedAt), "wh_early_stamp");

        Assert.Equal([WorkOutcome.Stored], await QueueDrainer.DrainAsync(_app, _queues));
        Assert.Equal(rescored.OverallScore, (await new TestTables(storage.ConnectionString).MainAsync(call.Id))!.OverallScore);
    }

    [Fact]
    public async Task A_scoring_failure_reported_after_a_newer_score_was_stored_costs_a_read_and_no_write()
    {
        var call = AddScoredCall();
        await PostWebhookAsync(call, "wh_scored");
        await QueueDrainer.DrainAsync(_app, _queues);
        var failure = WebhookRequests.CallScored(call.Id, success: false, occurredAt: call.ScoredAt!.Value.AddMinutes(-1));
        await PostAsync(failure, "wh_failed_earlier");
        _counter.Reset();

        Assert.Equal([WorkOutcome.FailureIgnored], await QueueDrainer.DrainAsync(_app, _queues));

        // After the claim, only reads: the main row, then the index rows at the failure's own keys (an earlier attempt
        // may have put them there).
        Assert.Equal(["POST AthosWebhookDeliveries/$batch", "GET AthosCalls"], Requests()[..2]);
        Assert.All(Requests()[2..], r => Assert.StartsWith("GET ", r, StringComparison.Ordinal));
        Assert.Equal(1, _simulator.Requests.DetailRequestsFor(call.Id));
        Assert.Equal(CallStatus.Scored, (await new TestTables(storage.ConnectionString).MainAsync(call.Id))!.Status);
    }

    /// <summary>
    /// Handled within <c>ATHOS_RECONCILE_QUEUE_DELAY</c> of its call's scoring, a webhook cannot meet a row the
    /// reconciler's copy stored (that copy waits as long), so it writes without reading first: a new call costs what it
    /// did before this safeguard (docs/performance.md).
    /// </summary>
    [Fact]
    public async Task A_webhook_handled_as_its_call_is_scored_spares_the_read()
    {
        await using var app = await StartAppAsync(TimeSpan.FromSeconds(30));
        var call = AddCallScoredNow();
        await PostWebhookAsync(call, "wh_young", app);
        _counter.Reset();

        Assert.Equal([WorkOutcome.Stored], await QueueDrainer.DrainAsync(app, _queues));

        Assert.Equal(1, _simulator.Requests.DetailRequestsFor(call.Id));
        Assert.DoesNotContain("GET AthosCalls", Requests());
    }

    /// <summary>
    /// Both copies in one batch, Athos slow enough that they overlap: the second waits for the first (one item per call
    /// at a time on an instance), then finds the version stored. Without that, both read "absent" and both fetch.
    /// </summary>
    [Fact]
    public async Task A_webhook_copy_and_the_reconcilers_copy_processed_at_once_fetch_the_call_once()
    {
        var call = AddScoredCall();
        var (webhookCopy, reconcileCopy) = await BothCopiesAsync(call, "wh_together");
        _simulator.Faults.Latency = TimeSpan.FromMilliseconds(300);

        var outcomes = await Task.WhenAll(ProcessAsync(webhookCopy), ProcessAsync(reconcileCopy));

        Assert.Equal([WorkOutcome.Stored, WorkOutcome.Unchanged], outcomes.Order());
        Assert.Equal(1, _simulator.Requests.DetailRequestsFor(call.Id));
    }

    /// <summary>The same for a webhook handled as its call is scored, which would otherwise write without reading first.</summary>
    [Fact]
    public async Task A_young_webhook_copy_that_waited_for_another_copy_reads_before_it_fetches()
    {
        await using var app = await StartAppAsync(TimeSpan.FromSeconds(30));
        var call = AddCallScoredNow();
        await PostWebhookAsync(call, "wh_young_together", app);
        var webhookCopy = Assert.Single(await _queues.ReceiveAsync());
        var listed = new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = Athos.Webhooks.AthosApi.CallId.Parse(call.Id), ListedScoredAt = call.ScoredAt, ReceivedAt = DateTimeOffset.UtcNow };
        _simulator.Faults.Latency = TimeSpan.FromMilliseconds(300);

        var processor = app.Get<WorkItemProcessor>();
        var outcomes = await Task.WhenAll(
            processor.ProcessAsync(webhookCopy.Body, webhookCopy.MessageId, webhookCopy.DequeueCount, TestContext.Current.CancellationToken),
            processor.ProcessAsync(WorkItemSerializer.Serialize(listed), "msg-listed", 1, TestContext.Current.CancellationToken));

        Assert.Equal([WorkOutcome.Stored, WorkOutcome.Unchanged], outcomes.Order());
        Assert.Equal(1, _simulator.Requests.DetailRequestsFor(call.Id));
    }

    // The webhook's copy, received and held, then the reconciler's, once its delay has passed.
    private async Task<(QueueMessage Webhook, QueueMessage Reconcile)> BothCopiesAsync(SimulatedCall call, string webhookId)
    {
        await PostWebhookAsync(call, webhookId);
        var webhookCopy = Assert.Single(await _queues.ReceiveAsync());
        await _app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
        return (webhookCopy, await ReceiveWhenVisibleAsync());
    }

    private SimulatedCall AddCallScoredNow()
    {
        var call = _simulator.Generator.Rescore(_simulator.Generator.Generate(DateTimeOffset.UtcNow.AddMinutes(-1)), DateTimeOffset.UtcNow);
        _simulator.Calls.Add(call);
        return call;
    }

    private SimulatedCall AddScoredCall()
    {
        var call = _simulator.Generator.Generate(DateTimeOffset.UtcNow.AddMinutes(-10));
        call = call.State == CallState.Scored ? call : _simulator.Generator.Rescore(call, DateTimeOffset.UtcNow.AddMinutes(-9));
        _simulator.Calls.Add(call);
        return call;
    }

    private Task<TestApp> StartAppAsync(TimeSpan queueDelay) =>
        TestApp.StartAsync(
            _simulator,
            storage.Azurite,
            [("ATHOS_WHSEC", Secret), ("ATHOS_RECONCILE_QUEUE_DELAY", queueDelay.ToString("c")), ("ATHOS_RECONCILE_LOOKBACK", "01:00:00")],
            services => services.AddAzureClients(azure => azure.ConfigureDefaults(options => options.AddPolicy(_counter, HttpPipelinePosition.PerCall))));

    // The body Athos sends for the call's current state, occurredAt included, signed as Athos signs it.
    private Task PostWebhookAsync(SimulatedCall call, string webhookId, TestApp? app = null) =>
        PostAsync(_simulator.Webhooks.BodyFor(call), webhookId, app);

    private async Task PostAsync(byte[] body, string webhookId, TestApp? app = null)
    {
        var request = WebhookRequests.Build(body, WebhookSigner.Header(Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body), webhookId);
        var result = await new AthosWebhookFunction((app ?? _app).Get<IAthosHttpHandlers>()).RunAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(202, (await WebhookRequests.ExecuteAsync(result, request)).Status);
    }

    private async Task<QueueMessage> ReceiveWhenVisibleAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (await _queues.ReceiveAsync(1) is [var message])
            {
                return message;
            }

            Assert.True(DateTime.UtcNow < deadline, "the reconciler's copy became visible");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    private async Task<WorkOutcome> ProcessAsync(QueueMessage message)
    {
        var outcome = await _app.Get<WorkItemProcessor>().ProcessAsync(message.Body, message.MessageId, message.DequeueCount, TestContext.Current.CancellationToken);
        await _queues.DeleteAsync(message);
        return outcome;
    }

    private List<string> Requests() => [.. _counter.Named.Select(r => r.ToString())];
}
