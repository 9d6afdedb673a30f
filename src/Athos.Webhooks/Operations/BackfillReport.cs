using Athos.Webhooks.Reconciliation;

namespace Athos.Webhooks.Operations;

/// <summary>What <c>backfill</c> reports: a job's state (as started, as it goes, as it ends).</summary>
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
    string? LastError)
{
    public static BackfillReport Of(BackfillJob job) =>
        new(job.JobId, job.Status, job.From, job.To, job.SourceList(), job.PagesDone, job.Listed, job.Missing, job.Stale, job.Queued, job.SkippedSources, job.LastError);
}

/// <summary>A backfill that was not started: the bound of the range (<c>from</c>, <c>to</c>) that cannot be loaded, and why.</summary>
internal sealed record BackfillRefusal(string? Field, string Problem);
