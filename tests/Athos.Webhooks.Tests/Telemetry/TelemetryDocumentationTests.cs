using System.Reflection;
using System.Text.Json;
using Athos.Webhooks.Operations;
using Athos.Webhooks.Telemetry;

namespace Athos.Webhooks.Tests.Telemetry;

/// <summary>docs/operations.md describes every instrument, every tag and the status JSON as the code has them.</summary>
public sealed class TelemetryDocumentationTests
{
    private static readonly Lazy<string> Operations = new(() => File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "operations.md")));

    [Fact]
    public void Every_instrument_and_its_tags_are_in_the_metrics_table()
    {
        var metrics = Section("## Metrics");

        foreach (var name in AthosMetrics.Names.All)
        {
            var row = Assert.Single(metrics.Split('\n'), line => line.StartsWith($"| `{name}` |", StringComparison.Ordinal));
            Assert.All(AthosMetrics.TagsOf[name], tag => Assert.Contains($"`{tag}`", row, StringComparison.Ordinal));
        }

        Assert.Equal(AthosMetrics.Names.All.Count, metrics.Split('\n').Count(l => l.StartsWith("| `athos.webhooks.", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_documented_status_json_has_the_fields_the_command_writes()
    {
        var status = Section("### `athos-webhooks status`");
        var json = status[(status.IndexOf("```json", StringComparison.Ordinal) + 7)..];
        var documented = JsonDocument.Parse(json[..json.IndexOf("```", StringComparison.Ordinal)]).RootElement;

        // The core's report, and the exit code the CLI decides and writes after status (ExitCodes.OfStatus).
        var written = typeof(StatusReport).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))
            .Append("exitCode")
            .Order()
            .ToList();
        Assert.Equal(written, documented.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(
            typeof(StatusCompleteness).GetProperties().Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).Order(),
            documented.GetProperty("completeness").EnumerateObject().Select(p => p.Name).Order());
        // The example's rescan has skipped nothing yet, so it has no lastSkippedAt.
        Assert.Equal(
            typeof(StatusRescan).GetProperties().Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).Where(n => n != "lastSkippedAt").Order(),
            documented.GetProperty("rescan").EnumerateObject().Select(p => p.Name).Order());
        Assert.Contains("`lastSkippedAt`", status, StringComparison.Ordinal);
    }

    [Fact]
    public void The_event_table_lists_the_core_event_ids_as_LogEvents_declares_them()
    {
        var documented = Section("## Logs").Split('\n')
            .Select(line => System.Text.RegularExpressions.Regex.Match(line, @"^\| (\d{4}) \|"))
            .Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .Where(id => id < 5000) // the runner's 5xxx events are its own, not the core's
            .Order();
        var declared = typeof(LogEvents).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (int)f.GetRawConstantValue()!)
            .Order();

        Assert.Equal(declared, documented);
    }

    private static string Section(string heading)
    {
        var text = Operations.Value;
        var start = text.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/operations.md has a section {heading}");
        var level = heading[..(heading.IndexOf(' ', StringComparison.Ordinal) + 1)];
        var end = text.IndexOf("\n" + level, start + heading.Length + 2, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..end];
    }
}
