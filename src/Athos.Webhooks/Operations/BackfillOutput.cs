using Athos.Webhooks.Reconciliation;

namespace Athos.Webhooks.Operations;

/// <summary>How <c>backfill</c> prints its job: its progress line for people, or one JSON object.</summary>
internal static class BackfillOutput
{
    public static void Write(TextWriter output, BackfillJob job, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            var report = new BackfillReport(job.JobId, job.Status, job.From, job.To, job.SourceList(), job.PagesDone, job.Listed, job.Missing, job.Stale, job.Queued, job.SkippedSources, job.LastError);
            JsonOutput.WriteDocument(output, report, OperationsJsonContext.Default.BackfillReport);
            return;
        }

        output.WriteLine($"Backfill {job.JobId}: {Line(job)}");
        if (job.Status == BackfillStatus.Completed)
        {
            output.WriteLine("Completed.");
        }
        else if (job.Status == BackfillStatus.Failed)
        {
            output.WriteLine("Failed: the job stopped; its last error is above. Start a new backfill once the cause is fixed.");
        }
    }

    public static string Line(BackfillJob job) =>
        $"pages {job.PagesDone} · listed {job.Listed:N0} · missing {job.Missing:N0} · stale {job.Stale:N0} · queued {job.Queued:N0}{(job.SkippedSources is null ? string.Empty : " · not listed: " + job.SkippedSources)}{(job.LastError is null ? string.Empty : " · last error: " + TerminalText.Escape(job.LastError))}";
}

/// <summary>What <c>backfill --format json</c> prints: the job as started (<c>--no-wait</c>), completed, or when watching stopped.</summary>
internal sealed record BackfillReport(
    string JobId,
    string Status,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<string> Sources,
    int PagesDone,
    int Listed,
    int Missing,
    int Stale,
    int Queued,
    string? SkippedSources,
    string? LastError);
