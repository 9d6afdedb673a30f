using System.Globalization;
using System.Text.Json;
using Athos.Webhooks.Cli.Commands;
using Athos.Webhooks.Operations;

namespace Athos.Webhooks.Cli.Output;

/// <summary>How <c>status</c> prints: a summary for people, or its JSON as the handler returned it.</summary>
internal static class StatusOutput
{
    /// <param name="output">Where to write.</param>
    /// <param name="report">The handler's report; sections that could not be read are absent.</param>
    /// <param name="describe">Words a duration as the report's reasons do (<see cref="IStatusHandler.Describe"/>).</param>
    /// <param name="format">Table or JSON.</param>
    public static void Write(TextWriter output, JsonElement report, Func<TimeSpan, string> describe, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            // The documented JSON tells a script the exit code too, after the status it comes from.
            JsonOutput.WriteDocument(output, report, ("status", "exitCode", ExitCodes.OfStatus(report)));
            return;
        }

        var now = report.Time("checkedAt");
        string Ago(DateTimeOffset? time) => time is { } value ? describe(now - value < TimeSpan.Zero ? TimeSpan.Zero : now - value) : "-";
        string Seconds(JsonElement section, string name) => section.OptionalDouble(name) is { } value ? describe(TimeSpan.FromSeconds(value)) : "-";

        output.WriteLine($"Athos.Webhooks: {report.String("status").ToUpperInvariant()} (as of {Time(now)})");
        foreach (var reason in report.Strings("reasons"))
        {
            output.WriteLine($"  ! {TerminalText.Escape(reason)}");
        }

        output.WriteLine();
        if (report.Section("queue") is { } queue)
        {
            output.WriteLine($"Queue            {queue.Int("depth"):N0} message(s) on athos-calls, {queue.Int("poison"):N0} on athos-calls-poison");
        }

        if (report.Section("parked") is { } parkedValue)
        {
            var parked = parkedValue.GetInt32();
            output.WriteLine($"Parked           {parked:N0} work item(s) in AthosParkedWork{(parked > 0 ? " (athos-webhooks redrive, once the cause is fixed)" : string.Empty)}");
        }

        if (report.Section("reconcile") is { } reconcile)
        {
            var lastRunStatus = reconcile.OptionalString("lastRunStatus");
            var last = reconcile.OptionalTime("lastSuccessAt") is { } success
                ? $"last success {Ago(success)} ago (at most {describe(TimeSpan.FromSeconds(reconcile.GetProperty("maxAgeSeconds").GetDouble()))} expected)"
                : "no successful run yet";
            output.WriteLine($"Reconcile        {last}; last run {lastRunStatus ?? "none"}{(reconcile.OptionalTime("lastRunEndedAt") is { } ended ? $" {Ago(ended)} ago" : string.Empty)}, contract {reconcile.OptionalString("contract") ?? "unknown"}");
            if (lastRunStatus is not null)
            {
                output.WriteLine($"                 {reconcile.Int("listed"):N0} listed, {reconcile.Int("missing"):N0} missing, {reconcile.Int("stale"):N0} stale, {reconcile.Int("queued"):N0} queued, {reconcile.Int("pending"):N0} already queued, {reconcile.Int("skippedIds"):N0} invalid ids");
            }

            foreach (var source in reconcile.GetProperty("sources").EnumerateArray())
            {
                output.WriteLine($"                 {source.String("source"),-9} {source.String("status"),-9} {source.Int("listed"):N0} listed, {source.Int("missing"):N0} missing, {source.Int("stale"):N0} stale, {source.Int("queued"):N0} queued{(source.OptionalString("note") is { } note ? $" ({TerminalText.Escape(note)})" : string.Empty)}");
            }

            if (reconcile.OptionalString("error") is { } error)
            {
                output.WriteLine($"                 error: {TerminalText.Escape(error)}");
            }
        }

        if (report.Section("rescan") is { } rescan)
        {
            var jobId = rescan.OptionalString("jobId");
            var latest = jobId is null
                ? "none started yet"
                : $"latest {jobId} {rescan.OptionalString("status") ?? "not written"}{(rescan.OptionalTime("startedAt") is { } started ? $", started {Ago(started)} ago" : string.Empty)}{(rescan.OptionalTime("completedAt") is { } completed ? $", ended {Ago(completed)} ago" : string.Empty)}";
            var skipped = rescan.OptionalTime("lastSkippedAt") is { } lastSkipped
                ? $"; {rescan.Int("skipped"):N0} occurrence(s) skipped while one ran, the last {Ago(lastSkipped)} ago"
                : string.Empty;
            output.WriteLine($"Rescan           {latest}{skipped}");
        }

        if (report.Section("freshness") is { } freshness)
        {
            var rows = freshness.Int("rows");
            output.WriteLine(rows == 0
                ? "Freshness        no calls stored today or yesterday (UTC)"
                : $"Freshness        newest of {rows} row(s): ended {Ago(freshness.OptionalTime("newestEndedAt"))} ago, last written {Ago(freshness.OptionalTime("lastWrittenAt"))} ago; stored {Seconds(freshness, "medianSeconds")} after scoring (median), {Seconds(freshness, "maxSeconds")} at most");
        }

        if (report.Section("export") is { } export)
        {
            var current = export.OptionalTime("currentBuiltAt") is { } built ? $"calls/current built {Ago(built)} ago" : "calls/current never built";
            output.WriteLine(export.OptionalTime("exportedThrough") is { } through
                ? $"Export           changes exported through {Time(through)}, {Seconds(export, "lagSeconds")} behind (at most {Seconds(export, "maxLagSeconds")} expected); {current}"
                : $"Export           no changes exported yet (the first export runs on ATHOS_EXPORT_SCHEDULE); {current}");
        }

        if (report.Section("completeness") is { } completeness)
        {
            var erased = completeness.Int("erased");
            output.WriteLine($"Completeness     since {Time(completeness.Time("since"))}: Athos lists {completeness.Int("listed"):N0} scored call(s), {completeness.Int("current"):N0} stored current, {completeness.Int("missing"):N0} missing, {completeness.Int("stale"):N0} stale, {completeness.Int("inFlight"):N0} in flight (scored in the last {Seconds(completeness, "inFlightGraceSeconds")}){(erased > 0 ? $", {erased:N0} erased here" : string.Empty)}");
            foreach (var source in completeness.GetProperty("sources").EnumerateArray())
            {
                var name = source.String("source");
                var skippedIds = source.Int("skippedIds");
                var sourceErased = source.Int("erased");
                output.WriteLine(source.OptionalString("skipped") is { } skipped
                    ? $"                 {name,-9} {skipped}"
                    : $"                 {name,-9} {source.Int("listed"):N0} listed, {source.Int("current"):N0} current, {source.Int("missing"):N0} missing, {source.Int("stale"):N0} stale, {source.Int("inFlight"):N0} in flight{(skippedIds > 0 ? $", {skippedIds:N0} invalid ids" : string.Empty)}{(sourceErased > 0 ? $", {sourceErased:N0} erased here" : string.Empty)}");
            }

            foreach (var call in completeness.GetProperty("incomplete").EnumerateArray())
            {
                output.WriteLine($"                 {call.String("kind"),-8} {call.String("callId")} ({call.String("source")}, scored {Time(call.OptionalTime("scoredAt"))}{(call.OptionalTime("storedScoredAt") is { } stored ? $", stored {Time(stored)}" : string.Empty)}){(call.Bool("queued") ? ", queued" : string.Empty)}");
            }
        }
    }

    private static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";
}
