using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Athos.Simulator;
using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;

namespace Athos.Webhooks.Tests.Telemetry;

/// <summary>
/// The <c>Athos.Webhooks</c> meter through the whole pipeline (the local runner over the same composition as the
/// Functions app, the simulator delivering signed webhooks with drops, duplicates and errors, Azurite): every
/// instrument records, and its counts agree with what happened on the wire and in storage.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class PipelineMetricsTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Every_instrument_records_through_the_whole_pipeline_and_agrees_with_what_happened()
    {
        await storage.ResetAsync();
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 4141, WebhookRetryDelay = TimeSpan.FromMilliseconds(200), FailureRate = 0.05 }, cancellationToken: ct);
        simulator.Faults.WebhookDropRate = 0.25;
        simulator.Faults.WebhookDuplicateRate = 0.1;
        simulator.Faults.ServerErrorRate = 0.05;
        var settings = StackSettings.For(simulator, storage.Azurite);
        settings["ATHOS_RECONCILE_SCHEDULE"] = "0 0 0 1 1 *";
        settings["ATHOS_RECONCILE_RESCAN_SCHEDULE"] = "0 0 0 1 1 *";
        settings["ATHOS_HTTP_RETRY_DELAY"] = "00:00:00.050";
        await using var runner = LocalRunner.Build("http://127.0.0.1:0", settings, logging =>
        {
            logging.ClearProviders();
            logging.AddFakeLogging();
        });
        var meters = runner.Services.GetRequiredService<IMeterFactory>();
        using var deliveries = new MetricCollector<long>(meters, AthosMetrics.MeterName, AthosMetrics.Names.Deliveries);
        using var ackDuration = new MetricCollector<double>(meters, AthosMetrics.MeterName, AthosMetrics.Names.DeliveryDuration);
        using var workItems = new MetricCollector<long>(meters, AthosMetrics.MeterName, AthosMetrics.Names.WorkItems);
        using var freshness = new MetricCollector<double>(meters, AthosMetrics.MeterName, AthosMetrics.Names.Freshness);
        using var athosRequests = new MetricCollector<long>(meters, AthosMetrics.MeterName, AthosMetrics.Names.AthosRequests);
        using var athosDuration = new MetricCollector<double>(meters, AthosMetrics.MeterName, AthosMetrics.Names.AthosRequestDuration);
        using var reconcileRuns = new MetricCollector<long>(meters, AthosMetrics.MeterName, AthosMetrics.Names.ReconcileRuns);
        using var reconcileDuration = new MetricCollector<double>(meters, AthosMetrics.MeterName, AthosMetrics.Names.ReconcileDuration);
        using var reconcileSources = new MetricCollector<long>(meters, AthosMetrics.MeterName, AthosMetrics.Names.ReconcileSources);
        using var reconcileCalls = new MetricCollector<long>(meters, AthosMetrics.MeterName, AthosMetrics.Names.ReconcileCalls);
        using var parked = new MetricCollector<long>(meters, AthosMetrics.MeterName, AthosMetrics.Names.Parked);
        using var poisoned = new MetricCollector<long>(meters, AthosMetrics.MeterName, AthosMetrics.Names.Poisoned);
        var queue = new QueueClient(storage.ConnectionString, StorageNames.CallsQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await GiveUpOnOneAsync(queue, runner.Services.GetRequiredService<QueueOptions>().MaxDequeueCount, ct);
        await runner.StartAsync(ct);
        var webhookUrl = LocalRunner.WebhookUrl(runner);
        simulator.Webhooks.Target = webhookUrl;

        // Calls scored and delivered (some dropped, some twice), one forged delivery, then a reconcile for the dropped.
        var now = DateTimeOffset.UtcNow;
        simulator.AddCalls(60, now.AddHours(-3), now.AddMinutes(-20));
        await simulator.Webhooks.WhenIdleAsync(ct);
        using (var http = new HttpClient())
        {
            using var forged = new StringContent("{\"event\":\"call.scored\"}", Encoding.UTF8, "application/json");
            forged.Headers.Add(WebhookSigner.SignatureHeader, $"t={now.ToUnixTimeSeconds()},v1={new string('0', 64)}");
            Assert.Equal(401, (int)(await http.PostAsync(webhookUrl, forged, ct)).StatusCode);
        }

        await RunnerDrain.WaitAsync(runner);
        var run = await runner.Services.GetRequiredService<Reconciler>().RunAsync(ct);
        await RunnerDrain.WaitAsync(runner);

        // One message that is not a work item (parked at once); the one the runner gave up on is swept from the poison
        // queue into the parked store, as its schedule (and the Functions app's ParkPoison trigger) does.
        await queue.SendMessageAsync("not a work item", ct);
        await RunnerDrain.WaitAsync(runner);
        await runner.Services.GetRequiredService<PoisonSweeper>().SweepAsync(ct);

        // Deliveries: every answer the simulator got, by outcome and status; one ACK duration each.
        var attempts = simulator.Webhooks.Deliveries.SelectMany(d => d.Attempts).Where(a => a.Status is not null).ToList();
        var measured = deliveries.GetMeasurementSnapshot();
        Assert.Equal(attempts.Count(a => a.Status == 202), Sum(measured, "outcome", "accepted"));
        Assert.Equal(attempts.Count(a => a.Status == 200), Sum(measured, "outcome", "ignored"));
        Assert.Equal(1, Sum(measured, "outcome", "invalid_signature"));
        Assert.All(measured.Where(m => (string?)m.Tags["outcome"] == "invalid_signature"), m => Assert.Equal(401, m.Tags["status"]));
        Assert.Equal(measured.Sum(m => m.Value), ackDuration.GetMeasurementSnapshot().Count);

        // Work items, by outcome and origin: webhooks and the reconciler's recoveries stored, the junk parked.
        var items = workItems.GetMeasurementSnapshot();
        var tables = new TestTables(storage.ConnectionString);
        var stored = (await tables.QueryAsync(StorageNames.CallsTable, string.Empty)).ToList();
        Assert.Equal(stored.Count, Sum(items, "outcome", "stored") + Sum(items, "outcome", "failure_recorded"));
        Assert.Contains(items, m => (string?)m.Tags["origin"] == "reconcile" && (string?)m.Tags["outcome"] == "stored");
        Assert.Contains(items, m => (string?)m.Tags["origin"] == "webhook" && (string?)m.Tags["outcome"] == "stored");
        Assert.Equal(1, items.Count(m => (string?)m.Tags["outcome"] == "parked" && (string?)m.Tags["kind"] == "invalid"));

        // A repeated delivery is accepted like any other and counted once the worker recognises it by its claim.
        Assert.Contains(attempts, a => a.IsDuplicate);
        Assert.True(Sum(items, "outcome", "duplicate") > 0, "duplicates are counted");

        // Freshness: one figure per scored version stored, the same as on event 3001.
        var fresh = freshness.GetMeasurementSnapshot();
        Assert.Equal(stored.Count(r => r.Status == CallStatus.Scored), fresh.Count);
        Assert.All(fresh, m => Assert.InRange(m.Value, 0, TimeSpan.FromHours(4).TotalSeconds));
        var logged = runner.Services.GetFakeLogCollector().GetSnapshot()
            .Where(r => r.Id.Id == LogEvents.WorkProcessed && r.StructuredState!.Any(p => p.Key == "FreshnessSeconds"))
            .Select(r => double.Parse(r.StructuredState!.First(p => p.Key == "FreshnessSeconds").Value!, CultureInfo.InvariantCulture))
            .Order();
        Assert.Equal(fresh.Select(m => Math.Round(m.Value, 3)).Order(), logged);

        // Athos requests, each attempt: the simulator served exactly as many details as were counted 200.
        var requests = athosRequests.GetMeasurementSnapshot();
        Assert.Equal(simulator.Requests.DetailsServed, requests.Where(m => (string?)m.Tags["operation"] == "detail" && (string?)m.Tags["status"] == "200").Sum(m => m.Value));
        Assert.Contains(requests, m => (string?)m.Tags["operation"] == "list" && (string?)m.Tags["status"] == "200");
        Assert.Contains(requests, m => (string?)m.Tags["status"] is "500" or "503");
        Assert.Equal(requests.Sum(m => m.Value), athosDuration.GetMeasurementSnapshot().Count);

        // The reconcile run, with its counts per source.
        Assert.Equal(ReconcileOutcome.Succeeded, run.Status);
        Assert.Equal(1, Sum(reconcileRuns.GetMeasurementSnapshot(), "status", "succeeded"));
        Assert.Single(reconcileDuration.GetMeasurementSnapshot());
        Assert.Equal(run.Sources.Count, reconcileSources.GetMeasurementSnapshot().Count);
        var counted = reconcileCalls.GetMeasurementSnapshot();
        Assert.Equal(run.Listed, Sum(counted, "result", "listed"));
        Assert.Equal(run.Queued, Sum(counted, "result", "queued"));
        Assert.True(run.Queued > 0, "dropped webhooks were recovered");
        Assert.Equal(run.Missing, Sum(counted, "result", "missing"));

        // Parked, by reason; and the runner's move to the poison queue.
        var parkedItems = parked.GetMeasurementSnapshot();
        Assert.Equal(1, Sum(parkedItems, "reason", ParkReason.InvalidWorkItem));
        Assert.Equal(1, Sum(parkedItems, "reason", ParkReason.MovedToPoison));
        Assert.Equal(1, poisoned.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    /// <summary>
    /// A work item received (and given back) as often as host.json allows, before the runner starts: the runner's first
    /// receive finds it out of attempts and moves it to the poison queue, as the Functions host would.
    /// </summary>
    private static async Task GiveUpOnOneAsync(QueueClient queue, int maxDequeueCount, CancellationToken ct)
    {
        var body = WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Backfill, CallId = Athos.Webhooks.AthosApi.CallId.Parse("athos_call_given_up_on") });
        await queue.SendMessageAsync(body, cancellationToken: ct);
        for (var i = 0; i < maxDequeueCount; i++)
        {
            var received = Assert.Single((await queue.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(1), ct)).Value);
            await queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: ct);
        }
    }

    private static long Sum<T>(IReadOnlyList<CollectedMeasurement<T>> measurements, string tag, string value)
        where T : struct => measurements.Where(m => m.Tags.TryGetValue(tag, out var v) && Equals(v, value)).Sum(m => Convert.ToInt64(m.Value, CultureInfo.InvariantCulture));
}
