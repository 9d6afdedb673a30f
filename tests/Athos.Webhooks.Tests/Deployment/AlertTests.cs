using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Functions;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Microsoft.Extensions.Logging;

namespace Athos.Webhooks.Tests.Deployment;

/// <summary>
/// Every alert and every workbook chart in infra/ queries a signal the code really emits, in the table it lands in:
/// log events by their id (an event logged with an exception lands in <c>AppExceptions</c>, any other in
/// <c>AppTraces</c>: <see cref="FakeIngestion.Tables"/>, which FunctionsTelemetryTests ties to the exporter's wire
/// format) and the fields their templates carry; metrics by the instrument names and tags of <see cref="AthosMetrics"/>.
/// </summary>
public sealed partial class AlertTests
{
    private static readonly Lazy<Task<BicepSnapshot>> Defaults = new(() => BicepSnapshot.CreateAsync());

    /// <summary>Every alert, by the end of its name: the table it reads, log or metric, and what it matches.</summary>
    public static TheoryData<string, string, string, string> Alerts => new()
    {
        { "reconcile-not-succeeding", "AppTraces", "log", "4001" },
        { "freshness-p95", "AppTraces", "log", "3001" },
        { "work-items-parked", "AppMetrics", "metric", AthosMetrics.Names.Parked },
        { "athos-refusing-the-key", "AppMetrics", "metric", AthosMetrics.Names.AthosRequests },
        { "webhooks-unauthorized", "AppMetrics", "metric", AthosMetrics.Names.Deliveries },
        { "monitoring-capped", "_LogOperation", "workspace", "OverQuota" },
    };

    [Theory]
    [MemberData(nameof(Alerts))]
    public async Task Each_alert_reads_the_table_and_the_names_the_code_emits(string alert, string table, string kind, string matches)
    {
        var rule = await RuleAsync(alert);
        var query = Query(rule);

        Assert.Equal(BicepSnapshot.Id((await Defaults.Value).Single("Microsoft.OperationalInsights/workspaces")), Assert.Single(rule.GetProperty("properties").GetProperty("scopes").EnumerateArray()).GetString());
        Assert.Contains(table, Tables(query));
        switch (kind)
        {
            case "log":
                Assert.Equal([int.Parse(matches, System.Globalization.CultureInfo.InvariantCulture)], EventIds(query));
                break;
            case "metric":
                Assert.Equal([matches], MetricNames(query));
                break;
            default:
                Assert.Contains($"\"{matches}\"", query, StringComparison.Ordinal);
                break;
        }

        AssertEmitted(query);
    }

    [Fact]
    public async Task The_alerts_are_the_six_documented_and_the_obsolete_poison_alert_is_gone()
    {
        var names = (await Defaults.Value).All("Microsoft.Insights/scheduledQueryRules").Select(r => r.GetProperty("name").GetString()!).ToList();

        Assert.Equal(Alerts.Select(a => (string)a.Data.Item1).Order(), names.Select(n => n["athos-test-".Length..]).Order());
        Assert.DoesNotContain(names, n => n.Contains("poison", StringComparison.Ordinal));
        var operations = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "docs", "operations.md"), TestContext.Current.CancellationToken);
        Assert.All(names, n => Assert.Contains($"`{n["athos-test-".Length..]}`", operations, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_reconcile_alert_counts_succeeded_and_partial_runs_and_holds_back_while_the_workspace_is_capped()
    {
        var rule = await RuleAsync("reconcile-not-succeeding");
        var query = Query(rule);
        var succeeded = EmittedEvents().Single(e => e.Id == LogEvents.ReconcileSucceeded);

        // The event is the reconciler's, logged for a succeeded and a partial run alike (its Status says which).
        Assert.Equal(typeof(Reconciler), succeeded.Owner);
        Assert.Contains("Status", succeeded.Fields);

        // Three intervals of the default schedule (10 minutes), over a day of _LogOperation for the cap's event.
        Assert.Contains("let window = 30m;", query, StringComparison.Ordinal);
        Assert.Equal("P1D", rule.GetProperty("properties").GetProperty("overrideQueryTimeRange").GetString());
        Assert.Contains("Detail has \"OverQuota\"", query, StringComparison.Ordinal);
        Assert.Contains("not(capped)", query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_freshness_alert_reads_the_field_of_event_3001_for_webhook_and_reconcile_items_against_the_threshold_parameter()
    {
        var query = Query(await RuleAsync("freshness-p95"));
        var snapshot = await BicepSnapshot.CreateAsync(("freshnessP95ThresholdSeconds", "1200"));
        var raised = Query(Assert.Single(snapshot.All("Microsoft.Insights/scheduledQueryRules"), r => r.GetProperty("name").GetString()!.EndsWith("freshness-p95", StringComparison.Ordinal)));

        Assert.Contains("percentile(todouble(Properties.FreshnessSeconds), 95)", query, StringComparison.Ordinal);
        Assert.Contains("P95 > 900", query, StringComparison.Ordinal);
        Assert.Contains("P95 > 1200", raised, StringComparison.Ordinal);
        var origins = Regex.Match(query, @"Properties\.Origin\) in~ \(([^)]*)\)").Groups[1].Value.Split(',').Select(o => o.Trim().Trim('"')).ToList();
        Assert.Equal(["webhook", "reconcile"], origins);
        Assert.All(origins, o => Assert.Contains(o, Enum.GetNames<WorkOrigin>(), StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Every_workbook_chart_reads_names_the_code_emits()
    {
        var workbook = (await Defaults.Value).Single("Microsoft.Insights/workbooks").GetProperty("properties");
        var content = JsonDocument.Parse(workbook.GetProperty("serializedData").GetString()!).RootElement;
        var queries = content.GetProperty("items").EnumerateArray()
            .Where(i => i.GetProperty("type").GetInt32() == 3)
            .ToDictionary(i => i.GetProperty("name").GetString()!, i => i.GetProperty("content").GetProperty("query").GetString()!);

        Assert.Equal(BicepSnapshot.Id((await Defaults.Value).Single("Microsoft.OperationalInsights/workspaces")), workbook.GetProperty("sourceId").GetString());
        Assert.Equal(["athos-codes", "athos-status", "deliveries", "freshness", "parked", "recovered"], queries.Keys.Order());
        Assert.Equal([AthosMetrics.Names.Deliveries], MetricNames(queries["deliveries"]));
        Assert.Equal([3001], EventIds(queries["freshness"]));
        Assert.Equal([AthosMetrics.Names.WorkItems], MetricNames(queries["recovered"]));
        Assert.Contains($"Properties.origin) == \"{WorkOriginNames.TagOf(WorkOrigin.Reconcile)}\"", queries["recovered"], StringComparison.Ordinal);
        Assert.Contains($"Properties.outcome) == \"{WorkOutcome.Stored.ToStorageName()}\"", queries["recovered"], StringComparison.Ordinal);
        Assert.Equal([AthosMetrics.Names.AthosRequests], MetricNames(queries["athos-status"]));
        Assert.Equal([AthosMetrics.Names.Parked], MetricNames(queries["parked"]));
        foreach (var query in queries.Values)
        {
            AssertEmitted(query);
        }
    }

    /// <summary>Every event id a query reads is emitted into the table it reads, with every field it reads; every metric name and tag exists.</summary>
    private static void AssertEmitted(string query)
    {
        var tables = Tables(query);
        var fields = Regex.Matches(query, @"Properties\.(\w+)").Select(m => m.Groups[1].Value).Distinct().Where(f => f != "EventId").ToList();
        var ids = EventIds(query);
        foreach (var id in ids)
        {
            var events = EmittedEvents().Where(e => e.Id == id).ToList();
            Assert.True(events.Count > 0, $"event {id} is logged by the code");
            Assert.All(events, e => Assert.True(e.Level >= LogLevel.Information, $"event {id} is exported (Information or above)"));
            Assert.All(events, e => Assert.Contains(e.Table, tables));
            if (MetricNames(query).Count == 0)
            {
                Assert.All(fields, f => Assert.True(events.Any(e => e.Fields.Contains(f)) || f is "ErrorCode" or "Status", $"event {id} carries {f}"));
            }
        }

        foreach (var name in MetricNames(query))
        {
            Assert.Contains(name, AthosMetrics.Names.All);
            Assert.All(fields, f => Assert.Contains(f, AthosMetrics.TagsOf[name]));
        }
    }

    private static async Task<JsonElement> RuleAsync(string alert) =>
        Assert.Single((await Defaults.Value).All("Microsoft.Insights/scheduledQueryRules"), r => r.GetProperty("name").GetString()!.EndsWith(alert, StringComparison.Ordinal));

    private static string Query(JsonElement rule) =>
        Assert.Single(rule.GetProperty("properties").GetProperty("criteria").GetProperty("allOf").EnumerateArray()).GetProperty("query").GetString()!;

    private static HashSet<string> Tables(string query) =>
        [.. Regex.Matches(query, @"\b(AppTraces|AppExceptions|AppMetrics|AppRequests|_LogOperation)\b").Select(m => m.Value)];

    private static List<int> EventIds(string query) =>
        [.. Regex.Matches(query, @"Properties\.EventId\) (?:== ""(\d+)""|in \(([^)]*)\))")
            .SelectMany(m => m.Groups[1].Success ? [m.Groups[1].Value] : m.Groups[2].Value.Split(',').Select(v => v.Trim().Trim('"')))
            .Select(v => int.Parse(v, System.Globalization.CultureInfo.InvariantCulture))
            .Distinct()];

    private static List<string> MetricNames(string query) => [.. Regex.Matches(query, @"Name == ""([^""]+)""").Select(m => m.Groups[1].Value).Distinct()];

    /// <summary>Every <c>[LoggerMessage]</c> of the core, the Functions app and the runner: id, level, fields, table.</summary>
    private static List<EmittedEvent> EmittedEvents() =>
        [.. new[] { typeof(AthosMetrics).Assembly, typeof(FunctionsAppComposition).Assembly, typeof(LocalRunner).Assembly }
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => new EmittedEvent(
                x.Attribute!.EventId,
                x.Attribute.Level,
                [.. TemplateField().Matches(x.Attribute.Message).Select(f => f.Groups[1].Value)],
                x.Method.GetParameters().Any(p => p.ParameterType == typeof(Exception)) ? "AppExceptions" : "AppTraces",
                x.Method.DeclaringType!.DeclaringType ?? x.Method.DeclaringType))];

    private sealed record EmittedEvent(int Id, LogLevel Level, HashSet<string> Fields, string Table, Type Owner);

    [GeneratedRegex(@"\{(\w+)(?::[^}]*)?\}")]
    private static partial Regex TemplateField();
}
