using System.Text.Json;

namespace Athos.Webhooks.Cli.Output;

/// <summary>How <c>redrive</c> prints its counts: sentences for people, or its JSON as the handler returned it.</summary>
internal static class RedriveOutput
{
    public static void Write(TextWriter output, JsonElement report, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            JsonOutput.WriteDocument(output, report);
            return;
        }

        var found = report.Int("found");
        if (report.Bool("dryRun"))
        {
            output.WriteLine($"{found} parked work item(s) (dry run: nothing moved; this counts what waits in athos-calls-poison too, which a redrive parks first).");
            return;
        }

        output.WriteLine($"Moved {report.Int("moved")} of {found} parked work item(s) back to athos-calls.");
        var unreadable = report.Int("unreadable");
        if (unreadable > 0)
        {
            output.WriteLine($"{unreadable} parked item(s) are not work items and stay in AthosParkedWork; inspect them (their Body column, base64) with Storage Explorer.");
        }
    }
}
