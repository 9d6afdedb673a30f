using System.Globalization;
using Athos.Webhooks.Erasure;

namespace Athos.Webhooks.Operations;

/// <summary>
/// How <c>forget</c> prints what it erased, and <c>forget --allow-restore</c> what it lifted: one line per item for
/// people, or one JSON object (for an erasure log).
/// </summary>
internal static class ForgetOutput
{
    public static void Write(TextWriter output, string callId, ErasureReport report, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            JsonOutput.WriteDocument(output, new ForgetReport(callId, report.Removed, report.Remaining, report.ErasedAt, report.KeptUntil, report.ErasedChange), OperationsJsonContext.Default.ForgetReport);
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

        output.WriteLine($"kept     {StorageNames.CallsTable}: tombstone {callId} (erased {Time(report.ErasedAt)}, kept until {Time(report.KeptUntil)}: nothing stores the call again meanwhile)");
        if (report.ErasedChange is { } change)
        {
            output.WriteLine($"kept     {StorageNames.CallChangesTable}: erased change {change} (a sync deletes its copy)");
        }

        output.WriteLine(report.Removed.Count == 0 ? $"Nothing of {callId} was stored; its tombstone stands." : $"Removed {report.Removed.Count} item(s) of {callId}.");
    }

    public static void WriteRestored(TextWriter output, string callId, CallRow tombstone, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            JsonOutput.WriteDocument(output, new RestoreReport(callId, Restored: true, tombstone.ErasedAt), OperationsJsonContext.Default.RestoreReport);
            return;
        }

        output.WriteLine($"lifted   {StorageNames.CallsTable}: tombstone {callId} (erased {Time(tombstone.ErasedAt)})");
        output.WriteLine($"{callId} may be stored again: the next reconcile, rescan, backfill or webhook that brings it stores it. Its erased change stays in the feed.");
    }

    private static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "at an unknown time";
}

/// <summary>
/// What <c>forget --format json</c> prints: what was removed, what expires by itself (soft-deleted versions), when the
/// tombstone was laid and until when it is kept, and the <c>RowKey</c> of the <c>erased</c> change.
/// </summary>
internal sealed record ForgetReport(string CallId, IReadOnlyList<string> Removed, IReadOnlyList<string> Remaining, DateTimeOffset ErasedAt, DateTimeOffset TombstoneKeptUntil, string? ErasedChange);

/// <summary>What <c>forget --allow-restore --format json</c> prints: the tombstone lifted, and when the call had been erased.</summary>
internal sealed record RestoreReport(string CallId, bool Restored, DateTimeOffset? ErasedAt);
