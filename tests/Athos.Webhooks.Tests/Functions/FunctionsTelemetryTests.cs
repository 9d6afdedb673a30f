using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Athos.Simulator;
using Athos.Webhooks.Functions;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Tests.Fixtures;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Athos.Webhooks.Tests.Functions;

/// <summary>
/// What the deployed Functions app exports, through its own composition (<see cref="FunctionsAppComposition"/>): the
/// core's Information events reach the exporter, with the fields the alerts and the workbook query; no secret ever
/// does; and the Azure Monitor exporter puts them on the wire as the alerts' tables expect.
/// </summary>
// Alone: the meter and the worker's activity source are process-wide, so another test's app running meanwhile would add
// to the exact counts asserted here.
[Collection(HeavyTests.Name)]
public sealed partial class FunctionsTelemetryTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string ApiKey = "ath_live_K3Y_that_must_never_be_logged_0001";
    private const string Secret = "whsec_S3CRET_that_must_never_be_logged_000000";
    private const string WrongSecret = "whsec_WRONG_secret_someone_else_has_00000000";

    private AthosSimulator _simulator = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 1414, ApiKey = ApiKey, WebhookSecret = Secret, Contract = Athos.Simulator.AthosContract.Current, FailureRate = 0, RealCallRate = 0 });
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Information_events_from_the_core_reach_the_exporter_through_the_apps_own_composition_and_no_secret_does()
    {
        var (logs, metrics, spans) = (new List<LogRecord>(), new List<Metric>(), new List<Activity>());
        using var app = await BuildExportingInMemoryAsync(logs, metrics, spans);
        var signatures = await DriveTheAppAsync(app);

        app.Services.GetRequiredService<LoggerProvider>().ForceFlush();
        app.Services.GetRequiredService<MeterProvider>().ForceFlush();
        app.Services.GetService<TracerProvider>()?.ForceFlush();

        // Information events of the core arrive, with the fields the alerts and the workbook read.
        var events = logs.Where(l => l.CategoryName?.StartsWith("Athos.Webhooks", StringComparison.Ordinal) == true).ToList();
        var accepted = Assert.Single(events, l => l.EventId.Id == LogEvents.WebhookAccepted);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, accepted.LogLevel);
        var processed = Assert.Single(events, l => l.EventId.Id == LogEvents.WorkProcessed);
        Assert.True(double.Parse(Attribute(processed, "FreshnessSeconds")!, System.Globalization.CultureInfo.InvariantCulture) >= 0);
        Assert.Equal("roleplay", Attribute(processed, "Source"));
        var reconciled = Assert.Single(events, l => l.EventId.Id == LogEvents.ReconcileSucceeded);
        Assert.Equal("succeeded", Attribute(reconciled, "Status"));
        Assert.Contains(events, l => l.EventId.Id == LogEvents.WebhookRejected && Attribute(l, "ErrorCode") == "invalid_signature");

        // Other categories only from Warning: the storage SDK's and HttpClient's request lines stay out.
        Assert.DoesNotContain(logs, l => l.LogLevel < Microsoft.Extensions.Logging.LogLevel.Warning && l.CategoryName?.StartsWith("Athos.Webhooks", StringComparison.Ordinal) != true);

        // And the meter's instruments are exported with them.
        var names = metrics.Select(m => m.Name).ToHashSet();
        foreach (var name in new[] { AthosMetrics.Names.Deliveries, AthosMetrics.Names.DeliveryDuration, AthosMetrics.Names.WorkItems, AthosMetrics.Names.Freshness, AthosMetrics.Names.AthosRequests, AthosMetrics.Names.ReconcileRuns })
        {
            Assert.Contains(name, names);
        }

        // No secret, in any log field, scope, exception, metric tag or span: the key, the signing secrets, the signatures
        // sent, and (any 64-hex string, which is what HMACs look like) the recording link's signature.
        var exported = Texts(logs, metrics, spans).ToList();
        Assert.NotEmpty(exported);
        foreach (var secret in new[] { ApiKey, Secret, WrongSecret }.Concat(signatures))
        {
            Assert.DoesNotContain(exported, text => text.Contains(secret, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(exported, text => Hmac().IsMatch(text) || text.Contains("sig=", StringComparison.Ordinal) || text.Contains("expires=", StringComparison.Ordinal));
        Assert.True(_simulator.Requests.RecordingRequests > 0, "a recording was fetched through its signed link");
    }

    [Fact]
    public async Task With_a_connection_string_the_Azure_Monitor_exporter_sends_what_the_alerts_query()
    {
        await using var ingestion = await FakeIngestion.StartAsync();
        var settings = Settings();
        settings["APPLICATIONINSIGHTS_CONNECTION_STRING"] = ingestion.ConnectionString;
        // No offline storage: items an earlier exporter of the same key left on disk would be sent here too.
        using (var app = await FunctionsApp.BuildAsync(settings, services => services.Configure<AzureMonitorExporterOptions>(o => o.DisableOfflineStorage = true)))
        {
            await DriveTheAppAsync(app);
            app.Services.GetRequiredService<LoggerProvider>().ForceFlush();
            app.Services.GetRequiredService<MeterProvider>().ForceFlush();
        }

        var items = await ingestion.WaitForAsync(
            all => all.Any(i => Is(i, "Message", "4001")) && all.Any(i => Metric(i) == AthosMetrics.Names.ReconcileRuns),
            TimeSpan.FromSeconds(30));

        Assert.True(items.Any(i => Is(i, "Message", "4001")), "received: " + string.Join(", ", items.Select(i => $"{i.GetProperty("name").GetString()} {Property(i, "EventId")}{Metric(i)}")));

        // Logs become AppTraces rows (Message; an event logged with an exception, AppExceptions) with EventId and every
        // template field in Properties; metrics AppMetrics rows named as the instrument, tags in Properties.
        var reconciled = Assert.Single(items, i => Is(i, "Message", "4001"));
        Assert.Equal("Athos.Webhooks.Reconciliation.Reconciler", Property(reconciled, "CategoryName"));
        Assert.Equal("succeeded", Property(reconciled, "Status"));
        var processed = Assert.Single(items, i => Is(i, "Message", "3001"));
        Assert.True(double.TryParse(Property(processed, "FreshnessSeconds"), System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.Equal("Webhook", Property(processed, "Origin"));
        Assert.Contains(items, i => Metric(i) == AthosMetrics.Names.ReconcileRuns && Property(i, AthosMetrics.Tags.Status) == "succeeded");
        Assert.Contains(items, i => Metric(i) == AthosMetrics.Names.Deliveries && Property(i, AthosMetrics.Tags.Status) == "202" && Property(i, AthosMetrics.Tags.Outcome) == "accepted");
        Assert.Contains(items, i => Metric(i) == AthosMetrics.Names.Deliveries && Property(i, AthosMetrics.Tags.Status) == "401");
        Assert.Contains(items, i => Metric(i) == AthosMetrics.Names.AthosRequests && Property(i, AthosMetrics.Tags.Operation) == "detail" && Property(i, AthosMetrics.Tags.Status) == "200");
        Assert.Contains(items, i => Metric(i) == AthosMetrics.Names.WorkItems && Property(i, AthosMetrics.Tags.Origin) == "webhook" && Property(i, AthosMetrics.Tags.Outcome) == "stored");
        var freshness = Assert.Single(items, i => Metric(i) == AthosMetrics.Names.Freshness);
        Assert.Equal(1, freshness.GetProperty("data").GetProperty("baseData").GetProperty("metrics")[0].GetProperty("count").GetInt32());
        Assert.DoesNotContain(items, i => i.GetRawText().Contains(ApiKey, StringComparison.Ordinal) || i.GetRawText().Contains(Secret, StringComparison.Ordinal));
    }

    /// <summary>
    /// An unsigned flood cannot fill the workspace: 10,000 requests with no signature, each in the span the worker opens
    /// for an invocation, export the first refusal at once and the rest as one record with their count when the minute
    /// ends, and no span, while the delivery metric counts every one. Signed deliveries keep their spans and records, and
    /// a signed delivery refused for its payload (Athos's own) is logged each time.
    /// </summary>
    [Fact]
    public async Task Ten_thousand_unsigned_requests_export_a_bounded_number_of_log_records_and_spans_and_an_exact_count()
    {
        var (logs, metrics, spans) = (new List<LogRecord>(), new List<Metric>(), new List<Activity>());
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = await BuildExportingInMemoryAsync(logs, metrics, spans, services => services.AddSingleton<TimeProvider>(clock));
        var ct = TestContext.Current.CancellationToken;
        var webhook = app.Function<AthosWebhookFunction>();
        var call = _simulator.AddCalls(1, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(-4))[0];
        var body = WebhookRequests.CallScored(call.Id);
        var badPayload = Encoding.UTF8.GetBytes("""{"event":"call.scored","success":true}""");

        for (var i = 0; i < 10_000; i++)
        {
            Assert.Equal(401, await InvokeAsync(webhook, WebhookRequests.Build(body, null, "wh_flood" + i), ct));
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(202, await InvokeAsync(webhook, WebhookRequests.Build(body, WebhookSigner.Header(Secret, clock.GetUtcNow().ToUnixTimeSeconds(), body), "wh_signed" + i), ct));
            Assert.Equal(400, await InvokeAsync(webhook, WebhookRequests.Build(badPayload, WebhookSigner.Header(Secret, clock.GetUtcNow().ToUnixTimeSeconds(), badPayload), "wh_bad" + i), ct));
        }

        var beforeTheMinuteEnds = logs.Count(l => l.EventId.Id == LogEvents.WebhookRejectedMore);
        clock.Advance(TimeSpan.FromMinutes(1));
        app.Services.GetRequiredService<LoggerProvider>().ForceFlush();
        app.Services.GetRequiredService<MeterProvider>().ForceFlush();
        app.Services.GetRequiredService<TracerProvider>().ForceFlush();

        var unsigned = logs.Where(l => Attribute(l, "ErrorCode") == "missing_signature").ToList();
        Assert.Equal([LogEvents.WebhookRejected, LogEvents.WebhookRejectedMore], unsigned.Select(l => l.EventId.Id));
        Assert.Equal((0, "9999"), (beforeTheMinuteEnds, Attribute(unsigned[1], "Refused")));
        Assert.Equal(3, logs.Count(l => l.EventId.Id == LogEvents.WebhookRejected && Attribute(l, "ErrorCode") == "missing_field"));
        Assert.Equal(3, logs.Count(l => l.EventId.Id == LogEvents.WebhookAccepted));
        Assert.True(logs.Count < 20, $"{logs.Count} log records exported");
        Assert.Equal(6, spans.Count);
        // Cumulative: the last export holds the totals.
        var delivered = Points(metrics.Last(m => m.Name == AthosMetrics.Names.Deliveries)).ToList();
        Assert.Equal(10_000, delivered.Where(p => p.Status == "401").Sum(p => p.Sum));
        Assert.Equal(3, delivered.Where(p => p.Status == "202").Sum(p => p.Sum));
    }

    // As the worker runs an invocation: inside the span its middleware opens (ActivitySource "Microsoft.Azure.Functions.Worker").
    private static async Task<int> InvokeAsync(AthosWebhookFunction webhook, HttpRequest request, CancellationToken cancellationToken)
    {
        using (var invocation = WorkerSpans.StartActivity("Invoke", ActivityKind.Server))
        {
            Assert.NotNull(invocation);
            return (await WebhookRequests.ExecuteAsync(await webhook.RunAsync(request, cancellationToken), request)).Status;
        }
    }

    private static readonly ActivitySource WorkerSpans = new("Microsoft.Azure.Functions.Worker");

    private static List<(string? Status, long Sum)> Points(Metric metric)
    {
        var points = new List<(string? Status, long Sum)>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            string? status = null;
            foreach (var tag in point.Tags)
            {
                if (tag.Key == AthosMetrics.Tags.Status)
                {
                    status = Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            points.Add((status, point.GetSumLong()));
        }

        return points;
    }

    /// <summary>
    /// A webhook accepted and one refused, its work item processed (detail fetched with the key, recording copied through
    /// its signed link), a reconcile, a health probe: through the app's function classes. Returns the signatures sent.
    /// </summary>
    private async Task<string[]> DriveTheAppAsync(FunctionsApp app)
    {
        var ct = TestContext.Current.CancellationToken;
        var now = DateTimeOffset.UtcNow;
        var call = _simulator.AddCalls(1, now.AddMinutes(-5), now.AddMinutes(-4))[0];
        var body = WebhookRequests.CallScored(call.Id);
        var good = WebhookSigner.Header(Secret, now.ToUnixTimeSeconds(), body);
        var bad = WebhookSigner.Header(WrongSecret, now.ToUnixTimeSeconds(), body);

        var webhook = app.Function<AthosWebhookFunction>();
        var request = WebhookRequests.Build(body, good, "wh_telemetry");
        Assert.Equal(202, (await WebhookRequests.ExecuteAsync(await webhook.RunAsync(request, ct), request)).Status);
        var forged = WebhookRequests.Build(body, bad, "wh_forged");
        Assert.Equal(401, (await WebhookRequests.ExecuteAsync(await webhook.RunAsync(forged, ct), forged)).Status);

        var message = await FunctionsApp.ReceiveAsync(storage.ConnectionString);
        await app.Function<CallWorkFunction>().RunAsync(message!, ct);
        await app.Function<ReconcileFunction>().RunAsync(new TimerInfo(), ct);

        var probe = new DefaultHttpContext { Response = { Body = new MemoryStream() } }.Request;
        Assert.Equal(200, (await WebhookRequests.ExecuteAsync(await app.Function<HealthFunction>().RunAsync(probe, ct), probe)).Status);
        return [good, bad, good.Split("v1=")[1], bad.Split("v1=")[1]];
    }

    // The app as composed, every signal also exported to the lists given.
    private Task<FunctionsApp> BuildExportingInMemoryAsync(List<LogRecord> logs, List<Metric> metrics, List<Activity> spans, Action<IServiceCollection>? more = null) =>
        FunctionsApp.BuildAsync(Settings(), services =>
        {
            services.ConfigureOpenTelemetryLoggerProvider(logging => logging.AddInMemoryExporter(logs));
            services.ConfigureOpenTelemetryMeterProvider(meters => meters.AddInMemoryExporter(metrics));
            services.ConfigureOpenTelemetryTracerProvider(traces => traces.AddInMemoryExporter(spans));
            more?.Invoke(services);
        });

    private Dictionary<string, string?> Settings()
    {
        var settings = StackSettings.For(_simulator, storage.Azurite);
        settings["ATHOS_API_KEY"] = ApiKey;
        settings["ATHOS_WHSEC"] = Secret;
        return settings;
    }

    private static string? Attribute(LogRecord record, string name) =>
        record.Attributes?.FirstOrDefault(a => a.Key == name).Value is { } value ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>Every string a log record, a metric point or a span carries.</summary>
    private static IEnumerable<string> Texts(List<LogRecord> logs, List<Metric> metrics, List<Activity> spans)
    {
        foreach (var log in logs)
        {
            yield return log.CategoryName ?? string.Empty;
            yield return log.FormattedMessage ?? string.Empty;
            yield return log.Body ?? string.Empty;
            yield return log.Exception?.ToString() ?? string.Empty;
            foreach (var attribute in log.Attributes ?? [])
            {
                yield return $"{attribute.Key}={attribute.Value}";
            }

            var scopes = new List<string>();
            log.ForEachScope((scope, list) => list.Add(scope.Scope?.ToString() ?? string.Empty), scopes);
            foreach (var scope in scopes)
            {
                yield return scope;
            }
        }

        foreach (var metric in metrics)
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                foreach (var tag in point.Tags)
                {
                    yield return $"{metric.Name} {tag.Key}={tag.Value}";
                }
            }
        }

        foreach (var span in spans)
        {
            yield return span.DisplayName;
            foreach (var tag in span.TagObjects)
            {
                yield return $"{tag.Key}={tag.Value}";
            }
        }
    }

    private static bool Is(JsonElement item, string name, string eventId) =>
        item.GetProperty("name").GetString() == name && Property(item, "EventId") == eventId;

    private static string? Metric(JsonElement item) =>
        item.GetProperty("name").GetString() == "Metric" ? item.GetProperty("data").GetProperty("baseData").GetProperty("metrics")[0].GetProperty("name").GetString() : null;

    private static string? Property(JsonElement item, string name) =>
        item.GetProperty("data").GetProperty("baseData").TryGetProperty("properties", out var properties) && properties.TryGetProperty(name, out var value) ? value.GetString() : null;

    [GeneratedRegex("[0-9a-f]{64}")]
    private static partial Regex Hmac();
}
