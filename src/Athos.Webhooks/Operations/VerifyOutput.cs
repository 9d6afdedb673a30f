using System.Globalization;
using Athos.Webhooks.Enrichment;

namespace Athos.Webhooks.Operations;

/// <summary>How <c>verify</c> prints what it found (and repaired): a table for people, or the JSON of docs/operations.md.</summary>
internal static class VerifyOutput
{
    public static void Write(TextWriter output, ConsistencyReport report, IReadOnlyList<CallRepair>? repairs, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            JsonOutput.WriteDocument(output, VerifyView.Of(report, repairs), OperationsJsonContext.Default.VerifyView);
            return;
        }

        output.WriteLine($"Checked {report.CallsChecked:N0} call(s) written since {Time(report.Since)}, as of {Time(report.CheckedAt)}.");
        var found = report.Inconsistent.SelectMany(c => c.Discrepancies).ToList();
        WriteTable(output, found);
        output.WriteLine(found.Count == 0
            ? "No discrepancies."
            : $"{found.Count} discrepanc{(found.Count == 1 ? "y" : "ies")} in {report.Inconsistent.Count} call(s).");

        if (report.InFlight.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"In flight, not judged ({report.InFlight.Count} call(s) written in the last {CallConsistencyChecker.SettleTime.TotalMinutes:0} minutes; a writer may still be at work, verify again later):");
            WriteTable(output, [.. report.InFlight.SelectMany(c => c.Discrepancies)]);
        }

        if (repairs is null)
        {
            return;
        }

        foreach (var repair in repairs)
        {
            output.WriteLine();
            output.WriteLine($"Repaired {repair.CallId}:");
            foreach (var action in repair.Actions)
            {
                output.WriteLine($"  {TerminalText.Escape(action)}");
            }

            output.WriteLine(repair.Remaining.Count == 0 ? "  now consistent." : "  still wrong:");
            foreach (var left in repair.Remaining)
            {
                output.WriteLine($"  {left.Table} {left.KindName} {TerminalText.Escape(left.Where)}: {TerminalText.Escape(left.Detail)}");
            }
        }

        var fixedCalls = repairs.Count(r => r.Remaining.Count == 0);
        output.WriteLine();
        output.WriteLine($"{fixedCalls} of {repairs.Count} call(s) now consistent.");
    }

    private static void WriteTable(TextWriter output, List<Discrepancy> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        TableOutput.Write(output, ["CALL", "TABLE", "KIND", "WHERE", "DETAIL"], [.. rows.Select(d => new[] { d.CallId, d.Table, d.KindName, d.Where, d.Detail })]);
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>The JSON <c>verify --format json</c> prints (docs/operations.md documents it).</summary>
internal sealed record VerifyView(
    DateTimeOffset Since,
    DateTimeOffset CheckedAt,
    int CallsChecked,
    bool Consistent,
    IReadOnlyList<DiscrepancyView> Discrepancies,
    IReadOnlyList<DiscrepancyView> InFlight,
    IReadOnlyList<RepairView>? Repairs)
{
    public static VerifyView Of(ConsistencyReport report, IReadOnlyList<CallRepair>? repairs) => new(
        report.Since,
        report.CheckedAt,
        report.CallsChecked,
        report.IsConsistent,
        [.. report.Inconsistent.SelectMany(c => c.Discrepancies).Select(DiscrepancyView.Of)],
        [.. report.InFlight.SelectMany(c => c.Discrepancies).Select(DiscrepancyView.Of)],
        repairs?.Select(r => new RepairView(r.CallId, r.Actions, [.. r.Remaining.Select(DiscrepancyView.Of)], r.Remaining.Count == 0)).ToList());
}

/// <summary>One discrepancy: <c>kind</c> is <c>missing</c>, <c>older</c>, <c>newer</c>, <c>different_values</c>, <c>stale_keys</c> or <c>orphan</c>.</summary>
internal sealed record DiscrepancyView(string CallId, string Table, string Kind, string Where, string Detail)
{
    public static DiscrepancyView Of(Discrepancy d) => new(d.CallId, d.Table, d.KindName, d.Where, d.Detail);
}

/// <summary>What was done to one call, and what is still wrong after it.</summary>
internal sealed record RepairView(string CallId, IReadOnlyList<string> Actions, IReadOnlyList<DiscrepancyView> Remaining, bool Consistent);
