using System.Globalization;
using System.Text.Json;
using Athos.Webhooks.Operations;

namespace Athos.Webhooks.Cli.Output;

/// <summary>How <c>verify</c> prints what it found (and repaired): a table for people, or its JSON as the handler returned it.</summary>
internal static class VerifyOutput
{
    /// <param name="output">Where to write.</param>
    /// <param name="report">The handler's report.</param>
    /// <param name="settleTime">How recently written a call is reported in flight (<see cref="IVerifyHandler.SettleTime"/>).</param>
    /// <param name="format">Table or JSON.</param>
    public static void Write(TextWriter output, JsonElement report, TimeSpan settleTime, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            JsonOutput.WriteDocument(output, report);
            return;
        }

        output.WriteLine($"Checked {report.Int("callsChecked"):N0} call(s) written since {Time(report.Time("since"))}, as of {Time(report.Time("checkedAt"))}.");
        var found = report.GetProperty("discrepancies");
        WriteTable(output, found);
        var count = found.GetArrayLength();
        output.WriteLine(count == 0
            ? "No discrepancies."
            : $"{count} discrepanc{(count == 1 ? "y" : "ies")} in {Calls(found)} call(s).");

        var inFlight = report.GetProperty("inFlight");
        if (inFlight.GetArrayLength() > 0)
        {
            output.WriteLine();
            output.WriteLine($"In flight, not judged ({Calls(inFlight)} call(s) written in the last {settleTime.TotalMinutes:0} minutes; a writer may still be at work, verify again later):");
            WriteTable(output, inFlight);
        }

        if (!report.TryGetProperty("repairs", out var repairs))
        {
            return;
        }

        foreach (var repair in repairs.EnumerateArray())
        {
            output.WriteLine();
            output.WriteLine($"Repaired {repair.String("callId")}:");
            foreach (var action in repair.Strings("actions"))
            {
                output.WriteLine($"  {TerminalText.Escape(action)}");
            }

            var remaining = repair.GetProperty("remaining");
            output.WriteLine(remaining.GetArrayLength() == 0 ? "  now consistent." : "  still wrong:");
            foreach (var left in remaining.EnumerateArray())
            {
                output.WriteLine($"  {left.String("table")} {left.String("kind")} {TerminalText.Escape(left.String("where"))}: {TerminalText.Escape(left.String("detail"))}");
            }
        }

        var fixedCalls = repairs.EnumerateArray().Count(r => r.Bool("consistent"));
        output.WriteLine();
        output.WriteLine($"{fixedCalls} of {repairs.GetArrayLength()} call(s) now consistent.");
    }

    // Every call reported has at least one discrepancy, each naming its call.
    private static int Calls(JsonElement discrepancies) => discrepancies.EnumerateArray().Select(d => d.String("callId")).Distinct(StringComparer.Ordinal).Count();

    private static void WriteTable(TextWriter output, JsonElement discrepancies)
    {
        if (discrepancies.GetArrayLength() == 0)
        {
            return;
        }

        TableOutput.Write(output, ["CALL", "TABLE", "KIND", "WHERE", "DETAIL"], [.. discrepancies.EnumerateArray().Select(d => new[] { d.String("callId"), d.String("table"), d.String("kind"), d.String("where"), d.String("detail") })]);
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
