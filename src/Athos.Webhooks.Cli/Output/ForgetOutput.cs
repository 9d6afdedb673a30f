using System.Globalization;
using System.Text.Json;
using Athos.Webhooks.Hosting;

namespace Athos.Webhooks.Cli.Output;

/// <summary>
/// How <c>forget</c> prints what it erased, and <c>forget --allow-restore</c> what it lifted: one line per item for
/// people, or its JSON as the handler returned it (for an erasure log); what went wrong and the advice on standard error.
/// </summary>
internal static class ForgetOutput
{
    public static async Task WriteAsync(TextWriter output, TextWriter error, JsonElement report, OutputFormat format)
    {
        if (report.OptionalString("conflict") is { } conflict)
        {
            await error.WriteLineAsync($"{conflict} Writers of the call are at work: run forget again.");
            return;
        }

        var callId = report.String("callId");
        var removed = report.Strings("removed");
        var keptUntil = report.Time("tombstoneKeptUntil");
        if (format == OutputFormat.Json)
        {
            JsonOutput.WriteDocument(output, report);
        }
        else
        {
            foreach (var line in removed)
            {
                await output.WriteLineAsync($"removed  {TerminalText.Escape(line)}");
            }

            foreach (var line in report.Strings("remaining"))
            {
                await output.WriteLineAsync($"expiring {TerminalText.Escape(line)}");
            }

            await output.WriteLineAsync($"kept     {StorageNames.CallsTable}: tombstone {callId} (erased {Time(report.Time("erasedAt"))}, kept until {Time(keptUntil)}: nothing stores the call again meanwhile)");
            if (report.OptionalString("erasedChange") is { } change)
            {
                await output.WriteLineAsync($"kept     {StorageNames.CallChangesTable}: erased change {change} (a sync deletes its copy)");
            }

            await output.WriteLineAsync(removed.Count == 0 ? $"Nothing of {callId} was stored; its tombstone stands." : $"Removed {removed.Count} item(s) of {callId}.");
        }

        // Advice, not data: on standard error, so that the JSON alone reaches a pipe.
        await error.WriteLineAsync($"Athos keeps its own copy: delete the call there too; the tombstone keeps a reconcile, rescan or backfill that lists it from storing it again only until {keptUntil.UtcDateTime:yyyy-MM-dd} ({IAthosSettings.TombstoneRetention}).");
    }

    /// <summary><c>forget --agent</c>: the mirror row, then each erased call's lines as <see cref="WriteAsync"/> prints them.</summary>
    public static async Task WriteAgentAsync(TextWriter output, TextWriter error, JsonElement report, OutputFormat format)
    {
        if (report.OptionalString("conflict") is { } conflict)
        {
            await error.WriteLineAsync($"{conflict} Writers of the rep's calls are at work: run forget --agent again.");
            return;
        }

        var agentId = report.String("agentId");
        var calls = report.GetProperty("calls").EnumerateArray().ToList();
        if (format == OutputFormat.Json)
        {
            JsonOutput.WriteDocument(output, report);
        }
        else
        {
            await output.WriteLineAsync(report.Bool("mirrorRowRemoved")
                ? $"removed  {StorageNames.AgentsTable}: row {TerminalText.Escape(agentId)}"
                : $"absent   {StorageNames.AgentsTable}: row {TerminalText.Escape(agentId)}");
            foreach (var call in calls)
            {
                foreach (var line in call.Strings("removed"))
                {
                    await output.WriteLineAsync($"removed  {TerminalText.Escape(line)}");
                }

                foreach (var line in call.Strings("remaining"))
                {
                    await output.WriteLineAsync($"expiring {TerminalText.Escape(line)}");
                }
            }

            await output.WriteLineAsync($"Erased {calls.Count} call(s) of {TerminalText.Escape(agentId)}.");
        }

        await error.WriteLineAsync("Athos keeps its own copy of the rep and their calls: remove them there too, or the next roster sync mirrors the rep again.");
    }

    public static async Task WriteRestoredAsync(TextWriter output, TextWriter error, JsonElement report, OutputFormat format)
    {
        var callId = report.String("callId");
        if (report.OptionalString("conflict") is { } conflict)
        {
            await error.WriteLineAsync($"--allow-restore: {conflict} Run it again.");
            return;
        }

        if (!report.Bool("restored"))
        {
            await error.WriteLineAsync($"--allow-restore: {callId} is not erased ({StorageNames.CallsTable} holds no tombstone for it), so there is nothing to lift; forget erases a call.");
            return;
        }

        if (format == OutputFormat.Json)
        {
            JsonOutput.WriteDocument(output, report);
            return;
        }

        await output.WriteLineAsync($"lifted   {StorageNames.CallsTable}: tombstone {callId} (erased {Time(report.OptionalTime("erasedAt"))})");
        await output.WriteLineAsync($"{callId} may be stored again: the next reconcile, rescan, backfill or webhook that brings it stores it. Its erased change stays in the feed.");
    }

    private static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "at an unknown time";
}
