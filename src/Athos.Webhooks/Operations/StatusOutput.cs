using System.Globalization;
using Athos.Webhooks.Health;

namespace Athos.Webhooks.Operations;

/// <summary>How <c>status</c> prints: a summary for people, or the JSON of docs/operations.md.</summary>
internal static class StatusOutput
{
    public static void Write(TextWriter output, StatusReport report, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            JsonOutput.WriteDocument(output, report, OperationsJsonContext.Default.StatusReport);
            return;
        }

        var now = report.CheckedAt;
        output.WriteLine($"Athos.Webhooks: {report.Status.ToUpperInvariant()} (as of {Time(now)})");
        foreach (var reason in report.Reasons)
        {
            output.WriteLine($"  ! {TerminalText.Escape(reason)}");
        }

        output.WriteLine();
        if (report.Queue is { } queue)
        {
            output.WriteLine($"Queue            {queue.Depth:N0} message(s) on athos-calls, {queue.Poison:N0} on athos-calls-poison");
        }

        if (report.Parked is { } parked)
        {
            output.WriteLine($"Parked           {parked:N0} work item(s) in AthosParkedWork{(parked > 0 ? " (athos-webhooks redrive, once the cause is fixed)" : string.Empty)}");
        }

        if (report.Reconcile is { } reconcile)
        {
            var last = reconcile.LastSuccessAt is { } success
                ? $"last success {Ago(now - success)} ago (at most {PipelineHealth.Describe(TimeSpan.FromSeconds(reconcile.MaxAgeSeconds))} expected)"
                : "no successful run yet";
            output.WriteLine($"Reconcile        {last}; last run {reconcile.LastRunStatus ?? "none"}{(reconcile.LastRunEndedAt is { } ended ? $" {Ago(now - ended)} ago" : string.Empty)}, contract {reconcile.Contract ?? "unknown"}");
            if (reconcile.LastRunStatus is not null)
            {
                output.WriteLine($"                 {reconcile.Listed:N0} listed, {reconcile.Missing:N0} missing, {reconcile.Stale:N0} stale, {reconcile.Queued:N0} queued, {reconcile.Pending:N0} already queued, {reconcile.SkippedIds:N0} invalid ids");
            }

            foreach (var source in reconcile.Sources)
            {
                output.WriteLine($"                 {source.Source,-9} {source.Status,-9} {source.Listed:N0} listed, {source.Missing:N0} missing, {source.Stale:N0} stale, {source.Queued:N0} queued{(source.Note is { } note ? $" ({TerminalText.Escape(note)})" : string.Empty)}");
            }

            if (reconcile.Error is { } error)
            {
                output.WriteLine($"                 error: {TerminalText.Escape(error)}");
            }
        }

        if (report.Rescan is { } rescan)
        {
            var latest = rescan.JobId is null
                ? "none started yet"
                : $"latest {rescan.JobId} {rescan.Status ?? "not written"}{(rescan.StartedAt is { } started ? $", started {Ago(now - started)} ago" : string.Empty)}{(rescan.CompletedAt is { } completed ? $", ended {Ago(now - completed)} ago" : string.Empty)}";
            var skipped = rescan.LastSkippedAt is { } last
                ? $"; {rescan.Skipped:N0} occurrence(s) skipped while one ran, the last {Ago(now - last)} ago"
                : string.Empty;
            output.WriteLine($"Rescan           {latest}{skipped}");
        }

        if (report.Freshness is { } freshness)
        {
            output.WriteLine(freshness.Rows == 0
                ? "Freshness        no calls stored today or yesterday (UTC)"
                : $"Freshness        newest of {freshness.Rows} row(s): ended {Ago(now - freshness.NewestEndedAt)} ago, last written {Ago(now - freshness.LastWrittenAt)} ago; stored {Seconds(freshness.MedianSeconds)} after scoring (median), {Seconds(freshness.MaxSeconds)} at most");
        }

        if (report.Completeness is { } completeness)
        {
            output.WriteLine($"Completeness     since {Time(completeness.Since)}: Athos lists {completeness.Listed:N0} scored call(s), {completeness.Current:N0} stored current, {completeness.Missing:N0} missing, {completeness.Stale:N0} stale, {completeness.InFlight:N0} in flight (scored in the last {PipelineHealth.Describe(TimeSpan.FromSeconds(completeness.InFlightGraceSeconds))}){(completeness.Erased > 0 ? $", {completeness.Erased:N0} erased here" : string.Empty)}");
            foreach (var source in completeness.Sources)
            {
                output.WriteLine(source.Skipped is { } skipped
                    ? $"                 {source.Source,-9} {skipped}"
                    : $"                 {source.Source,-9} {source.Listed:N0} listed, {source.Current:N0} current, {source.Missing:N0} missing, {source.Stale:N0} stale, {source.InFlight:N0} in flight{(source.SkippedIds > 0 ? $", {source.SkippedIds:N0} invalid ids" : string.Empty)}{(source.Erased > 0 ? $", {source.Erased:N0} erased here" : string.Empty)}");
            }

            foreach (var call in completeness.Incomplete)
            {
                output.WriteLine($"                 {call.Kind,-8} {call.CallId} ({call.Source}, scored {Time(call.ScoredAt)}{(call.StoredScoredAt is { } stored ? $", stored {Time(stored)}" : string.Empty)}){(call.Queued ? ", queued" : string.Empty)}");
            }
        }
    }

    private static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    private static string Ago(TimeSpan? span) => span is { } value ? PipelineHealth.Describe(value < TimeSpan.Zero ? TimeSpan.Zero : value) : "-";

    private static string Seconds(double? seconds) => seconds is { } value ? PipelineHealth.Describe(TimeSpan.FromSeconds(value)) : "-";
}
