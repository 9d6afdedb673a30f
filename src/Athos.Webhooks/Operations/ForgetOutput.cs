using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Operations;

/// <summary>How <c>forget</c> prints what it erased: one line per item for people, or one JSON object (for an erasure log).</summary>
internal static class ForgetOutput
{
    public static void Write(TextWriter output, string callId, ErasureReport report, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            JsonOutput.WriteDocument(output, new ForgetReport(callId, report.Removed, report.Remaining), OperationsJsonContext.Default.ForgetReport);
            return;
        }

        foreach (var line in report.Removed)
        {
            output.WriteLine($"removed  {TerminalText.Escape(line)}");
        }

        foreach (var line in report.Remaining)
        {
            output.WriteLine($"expiring {TerminalText.Escape(line)}");
        }

        output.WriteLine(report.Removed.Count == 0 ? $"Nothing of {callId} was stored." : $"Removed {report.Removed.Count} item(s) of {callId}.");
    }
}

/// <summary>What <c>forget --format json</c> prints: what was removed, and what expires by itself (soft-deleted versions).</summary>
internal sealed record ForgetReport(string CallId, IReadOnlyList<string> Removed, IReadOnlyList<string> Remaining);
