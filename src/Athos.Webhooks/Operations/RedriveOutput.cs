using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Operations;

/// <summary>How <c>redrive</c> prints its counts: sentences for people, or one JSON object.</summary>
internal static class RedriveOutput
{
    public static void Write(TextWriter output, RedriveResult result, bool dryRun, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            JsonOutput.WriteDocument(output, new RedriveReport(dryRun, result.Found, result.Moved, result.Unreadable), OperationsJsonContext.Default.RedriveReport);
            return;
        }

        if (dryRun)
        {
            output.WriteLine($"{result.Found} parked work item(s) (dry run: nothing moved; this counts what waits in athos-calls-poison too, which a redrive parks first).");
            return;
        }

        output.WriteLine($"Moved {result.Moved} of {result.Found} parked work item(s) back to athos-calls.");
        if (result.Unreadable > 0)
        {
            output.WriteLine($"{result.Unreadable} parked item(s) are not work items and stay in AthosParkedWork; inspect them (their Body column, base64) with Storage Explorer.");
        }
    }
}

/// <summary>What <c>redrive --format json</c> prints: the parked items found (poison queue included), moved back, and left parked as unreadable.</summary>
internal sealed record RedriveReport(bool DryRun, int Found, int Moved, int Unreadable);
