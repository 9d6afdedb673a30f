using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;
using Athos.Webhooks.WorkItems;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// Backfills any window of history as a chain of page work items on the queue: never inside an HTTP request,
/// resumable after any crash, and counted once per page.
/// </summary>
public sealed partial class Backfiller(
    AthosClient athos,
    MissingCallFinder finder,
    WorkQueue queue,
    TableServiceClient tables,
    TimeProvider time,
    ILogger<Backfiller> logger)
{
    /// <summary>A backfill covers at most this much history per job.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(3 * 366);

    private readonly TableClient _jobs = tables.GetTableClient(StorageNames.StateTable);

    /// <summary>Creates a job for calls that ended in [<paramref name="from"/>, <paramref name="to"/>] and queues its first page.</summary>
    /// <exception cref="ArgumentException">The range is empty, reversed, in the future or too long; the message names the field.</exception>
    public async Task<BackfillJob> StartAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (from >= to)
        {
            throw new ArgumentException($"from ({from:o}) must be before to ({to:o}).", nameof(from));
        }

        if (from > now)
        {
            throw new ArgumentException($"from ({from:o}) is in the future.", nameof(from));
        }

        if (to - from > MaxRange)
        {
            throw new ArgumentException($"A backfill covers at most {MaxRange.TotalDays:0} days; split the range into several jobs.", nameof(to));
        }

        var job = new BackfillJob
        {
            RowKey = "bf_" + now.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + "_" + Guid.NewGuid().ToString("N")[..8],
            From = from,
            To = to,
            CreatedAt = now,
            NextPageQueued = true,
        };
        await _jobs.AddEntityAsync(job, cancellationToken);
        await queue.EnqueueAsync(new BackfillPageWorkItem { Origin = WorkOrigin.Backfill, JobId = job.JobId, Page = 1, ReceivedAt = now }, cancellationToken);
        Log.Started(logger, job.JobId, from, to);
        return job;
    }

    public async Task<BackfillJob?> GetAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var response = await _jobs.GetEntityIfExistsAsync<BackfillJob>(BackfillJob.Partition, jobId, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Processes one page item. Safe to run twice for the same page: the job row lets it count once.</summary>
    public async Task<WorkOutcome> ProcessPageAsync(BackfillPageWorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var job = await GetAsync(item.JobId, cancellationToken)
            ?? throw new InvalidWorkItemException($"Backfill job {item.JobId} does not exist.");

        if (job.PagesDone >= item.Page)
        {
            // A redelivered page: its work is done; only make sure the chain goes on.
            await QueueNextPageIfNeededAsync(job, cancellationToken);
            return WorkOutcome.Duplicate;
        }

        CallPage page;
        try
        {
            page = await athos.ListCallsPageAsync(new CallListQuery(job.From, job.To), item.Cursor, cancellationToken);
        }
        catch (AthosApiException ex)
        {
            await _jobs.UpsertEntityAsync(new TableEntity(BackfillJob.Partition, job.JobId) { [nameof(BackfillJob.LastError)] = ex.Message }, TableUpdateMode.Merge, cancellationToken);
            throw;
        }

        var gaps = await finder.QueueMissingAsync(page.Data, WorkOrigin.Backfill, time.GetUtcNow(), cancellationToken);

        job.PagesDone = item.Page;
        job.Listed += page.Data.Count;
        job.Missing += gaps.Missing;
        job.Stale += gaps.Stale;
        job.Queued += gaps.Queued;
        job.NextCursor = page.NextCursor;
        job.NextPageQueued = false;
        job.LastError = null;
        if (page.NextCursor is null)
        {
            job.Status = BackfillStatus.Completed;
            job.CompletedAt = time.GetUtcNow();
        }

        try
        {
            var response = await _jobs.UpdateEntityAsync(job, job.ETag, TableUpdateMode.Replace, cancellationToken);
            job.ETag = response.Headers.ETag ?? job.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // Another delivery of this page got there first and carries the chain on.
            return WorkOutcome.Duplicate;
        }

        await QueueNextPageIfNeededAsync(job, cancellationToken);
        Log.Page(logger, job.JobId, item.Page, page.Data.Count, gaps.Queued, job.Status);
        return WorkOutcome.PageProcessed;
    }

    private async Task QueueNextPageIfNeededAsync(BackfillJob job, CancellationToken cancellationToken)
    {
        if (job.Status != BackfillStatus.Running || job.NextPageQueued || job.NextCursor is null)
        {
            return;
        }

        await queue.EnqueueAsync(new BackfillPageWorkItem { Origin = WorkOrigin.Backfill, JobId = job.JobId, Page = job.PagesDone + 1, Cursor = job.NextCursor, ReceivedAt = time.GetUtcNow() }, cancellationToken);
        await _jobs.UpsertEntityAsync(new TableEntity(BackfillJob.Partition, job.JobId) { [nameof(BackfillJob.NextPageQueued)] = true }, TableUpdateMode.Merge, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Backfill {JobId} started for calls that ended {From:o} to {To:o}")]
        public static partial void Started(ILogger logger, string jobId, DateTimeOffset from, DateTimeOffset to);

        [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Backfill {JobId} page {Page}: {Listed} listed, {Queued} queued ({Status})")]
        public static partial void Page(ILogger logger, string jobId, int page, int listed, int queued, string status);
    }
}
