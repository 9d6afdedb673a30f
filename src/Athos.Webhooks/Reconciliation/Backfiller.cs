using System.Globalization;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.WorkItems;
using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// Lists any window of history as a chain of page work items on the queue, source after source: never inside an HTTP
/// request or a timer invocation, resumable after any crash, and counted once per page. Backfills (started by a
/// person) and the trailing rescan (started by each occurrence of its schedule) are both such chains.
/// </summary>
internal sealed partial class Backfiller
{
    private readonly CallPager _pager;
    private readonly MissingCallFinder _finder;
    private readonly WorkQueue _queue;
    private readonly ReconcileStateStore _state;
    private readonly RescanGate _rescans;
    private readonly IOptions<ReconcileOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<Backfiller> _logger;

    public Backfiller(CallPager pager, MissingCallFinder finder, WorkQueue queue, ReconcileStateStore state, RescanGate rescans, TableServiceClient tables, IOptions<ReconcileOptions> options, TimeProvider time, ILogger<Backfiller> logger)
    {
        _pager = pager;
        _finder = finder;
        _queue = queue;
        _state = state;
        _rescans = rescans;
        _options = options;
        _time = time;
        _logger = logger;
        _jobs = tables.GetTableClient(StorageNames.StateTable);
    }

    /// <summary>A backfill covers at most this much history per job.</summary>
    internal static readonly TimeSpan MaxRange = TimeSpan.FromDays(3 * 366);

    private readonly TableClient _jobs;

    /// <summary>
    /// Creates a job for calls in [<paramref name="from"/>, <paramref name="to"/>] of <paramref name="sources"/> (default:
    /// <c>ATHOS_SOURCES</c>) and queues its first page.
    /// </summary>
    /// <exception cref="BackfillRangeException">The range is empty, reversed, in the future or too long, or a source is unknown.</exception>
    internal async Task<BackfillJob> StartAsync(DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<string>? sources = null, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        if (from >= to)
        {
            throw new BackfillRangeException(nameof(from), $"from ({from:o}) must be before to ({to:o}).");
        }

        if (from > now)
        {
            throw new BackfillRangeException(nameof(from), $"from ({from:o}) is in the future.");
        }

        if (to - from > MaxRange)
        {
            throw new BackfillRangeException(nameof(to), $"A backfill covers at most {MaxRange.TotalDays:0} days; split the range into several jobs.");
        }

        if (sources?.FirstOrDefault(s => !CallSources.IsKnown(s)) is { } unknown)
        {
            throw new BackfillRangeException(nameof(sources), $"'{unknown}' is not an Athos call source; use {string.Join(" or ", CallSources.All)}.");
        }

        var chosen = sources is { Count: > 0 } ? CallSources.All.Where(sources.Contains).ToList() : _options.Value.SourceList();
        var jobId = "bf_" + now.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "_" + Guid.NewGuid().ToString("N")[..8];
        var job = await CreateAsync(jobId, BackfillKind.Backfill, from, to, chosen, now, cancellationToken);
        Log.Started(_logger, job!.JobId, job.Kind, from, to, job.Sources!);
        return job;
    }

    /// <summary>
    /// Starts the trailing rescan for one occurrence of <c>ATHOS_RECONCILE_RESCAN_SCHEDULE</c>: one job, named by the
    /// occurrence (<see cref="RescanJobId"/>), whose page chain on the queue re-reads the last
    /// <c>ATHOS_RECONCILE_RESCAN_WINDOW</c> of the sources <c>ATHOS_SOURCES</c> names (calls whose score changed without
    /// a webhook, recordings not copied yet). However many hosts fire an occurrence, the job's conditional insert lets one
    /// start it; <see cref="RescanGate"/> lets one rescan run at a time, so an occurrence that finds the previous one
    /// still running is skipped and counted (<c>status</c> shows it), and a late firing of an occurrence a later one has
    /// covered starts nothing. Returns once the job row and its first page are stored; the chain runs on the queue.
    /// </summary>
    /// <param name="occurrence">The occurrence the timer fired for (not when it fired): what names the job.</param>
    public Task StartRescanAsync(DateTimeOffset occurrence, CancellationToken cancellationToken = default) => StartRescanJobAsync(occurrence, cancellationToken);

    /// <summary>
    /// As <see cref="StartRescanAsync"/>, returning the job started (<see langword="null"/>: started by another host,
    /// skipped while one runs, or covered by a later occurrence's).
    /// </summary>
    internal async Task<BackfillJob?> StartRescanJobAsync(DateTimeOffset occurrence, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var jobId = RescanJobId(occurrence);
        if (await _rescans.EnterAsync(jobId, occurrence, now, cancellationToken) != RescanTurn.Start)
        {
            return null;
        }

        var settings = _options.Value;
        var job = await CreateAsync(jobId, BackfillKind.Rescan, now - settings.RescanWindow, now, settings.SourceList(), now, cancellationToken);
        if (job is not null)
        {
            Log.Started(_logger, job.JobId, job.Kind, job.From, job.To, job.Sources!);
        }

        return job;
    }

    /// <summary><c>rs_</c> and the occurrence in UTC to the second: every host firing it names the same job.</summary>
    internal static string RescanJobId(DateTimeOffset occurrence) =>
        "rs_" + occurrence.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    internal async Task<BackfillJob?> GetAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var response = await _jobs.GetEntityIfExistsAsync<BackfillJob>(BackfillJob.Partition, jobId, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Processes one page item. Safe to run twice for the same page: the job row lets it count once.</summary>
    internal async Task<WorkOutcome> ProcessPageAsync(BackfillPageWorkItem item, CancellationToken cancellationToken)
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

        if (job.Status == BackfillStatus.Failed && job.LastError?.StartsWith(ParkedPage(item.Page), StringComparison.Ordinal) == true)
        {
            // The page that stopped the job, redriven: the job runs again from it.
            (job.Status, job.CompletedAt) = (BackfillStatus.Running, null);
        }

        var source = item.Source ?? CallSources.Roleplay;
        var guard = PagingGuard.Restore(item.Cursor is null ? null : job.PagingGuard);
        CallPage page;
        if (await SkipReasonAsync(job, source, cancellationToken) is { } skipped)
        {
            // Never ask an early-contract tenant for real calls: it would refuse the request.
            page = new CallPage();
            job.SkippedSources = skipped;
        }
        else
        {
            try
            {
                page = await _pager.NextAsync(QueryFor(job, source), item.Cursor, guard, cancellationToken);
            }
            catch (AthosApiException ex) when (ex.ErrorCode == PagingGuard.LoopCode)
            {
                // The guard caught a cursor that loops: going on would page forever. The job stops, saying why.
                return await FailAsync(job, item.Page, ex.Message, cancellationToken);
            }
            catch (AthosApiException ex)
            {
                await _jobs.UpsertEntityAsync(new BackfillJobPatch { RowKey = job.JobId, LastError = ex.Message }, TableUpdateMode.Merge, cancellationToken);
                throw;
            }
        }

        var origin = job.Kind == BackfillKind.Rescan ? WorkOrigin.Rescan : WorkOrigin.Backfill;
        var gaps = await _finder.QueueMissingAsync(page.Data, page.RequestId, origin, _time.GetUtcNow(), cancellationToken);
        if (page.Data.Count > 0)
        {
            job.Contract = page.Data[0].Contract.ToStorageName();
        }

        job.PagesDone = item.Page;
        job.Listed += page.Data.Count;
        job.Missing += gaps.Missing;
        job.Stale += gaps.Stale;
        job.Recordings += gaps.Recordings;
        job.Pending += gaps.Pending;
        job.SkippedIds += gaps.Skipped;
        job.Queued += gaps.Queued;
        job.PagingGuard = guard.Save();
        job.NextPageQueued = false;
        job.LastError = null;
        await AdvanceAsync(job, source, page.NextCursor, cancellationToken);

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
        Log.Page(_logger, job.JobId, item.Page, source, page.Data.Count, gaps.Queued, job.Status);
        return WorkOutcome.PageProcessed;
    }

    /// <summary>
    /// A page parked on its last attempt stops its job, saying why: a rescan's turn then passes to the next occurrence at
    /// once (a redrive of the page still carries the chain on).
    /// </summary>
    internal async Task StopAtParkedPageAsync(BackfillPageWorkItem item, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (await GetAsync(item.JobId, cancellationToken) is { Status: BackfillStatus.Running } job && job.PagesDone < item.Page)
        {
            await FailAsync(job, item.Page, $"{ParkedPage(item.Page)}{error}", cancellationToken);
        }
    }

    private static string ParkedPage(int page) => string.Create(CultureInfo.InvariantCulture, $"page {page} parked: ");

    private async Task<WorkOutcome> FailAsync(BackfillJob job, int page, string error, CancellationToken cancellationToken)
    {
        job.Status = BackfillStatus.Failed;
        job.LastError = error;
        job.CompletedAt = _time.GetUtcNow();
        try
        {
            await _jobs.UpdateEntityAsync(job, job.ETag, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return WorkOutcome.Duplicate;
        }

        Log.Stopped(_logger, job.JobId, page, error);
        return WorkOutcome.PageProcessed;
    }

    private async Task<BackfillJob?> CreateAsync(string jobId, string kind, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<string> sources, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var job = new BackfillJob
        {
            RowKey = jobId,
            Kind = kind,
            From = from,
            To = to,
            Sources = string.Join(',', sources),
            Source = sources[0],
            CreatedAt = now,
            NextPageQueued = true,
        };
        try
        {
            await _jobs.AddEntityAsync(job, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return null;
        }

        await _queue.EnqueueAsync(new BackfillPageWorkItem { Origin = kind == BackfillKind.Rescan ? WorkOrigin.Rescan : WorkOrigin.Backfill, JobId = jobId, Page = 1, Source = job.Source, ReceivedAt = now }, cancellationToken);
        return job;
    }

    // After a page: the same source's next page, else the next source's first page (a source that cannot be listed is
    // passed over, so that no page item is queued for it), else done.
    private async Task AdvanceAsync(BackfillJob job, string source, string? nextCursor, CancellationToken cancellationToken)
    {
        job.NextCursor = nextCursor;
        if (nextCursor is not null)
        {
            job.Source = source;
            return;
        }

        var next = job.SourceList().SkipWhile(s => s != source).Skip(1).ToList();
        while (next.Count > 0 && await SkipReasonAsync(job, next[0], cancellationToken) is { } skipped)
        {
            job.SkippedSources = skipped;
            next.RemoveAt(0);
        }

        job.Source = next.FirstOrDefault();
        if (job.Source is null)
        {
            job.Status = BackfillStatus.Completed;
            job.CompletedAt = _time.GetUtcNow();
        }
    }

    // Real calls exist only in the current contract: known from this job's rows, else from what the reconciler recorded.
    private async Task<string?> SkipReasonAsync(BackfillJob job, string source, CancellationToken cancellationToken)
    {
        if (source != CallSources.RealCall)
        {
            return null;
        }

        var contract = job.Contract is { } seen ? AthosContractNames.Parse(seen) : (await _state.GetAsync(cancellationToken)).Contract;
        return contract switch
        {
            AthosContract.Current => null,
            AthosContract.Early => $"{source} (early contract: roleplay calls only)",
            _ => $"{source} (Athos has not shown which contract this tenant is on yet)",
        };
    }

    // Real calls are listed by startedAt: the window starts earlier by the longest real call, so that every call that
    // ended inside the range is covered.
    private CallListQuery QueryFor(BackfillJob job, string source) =>
        new(source, source == CallSources.RealCall ? job.From - _options.Value.RealCallMaxDuration : job.From, job.To);

    private async Task QueueNextPageIfNeededAsync(BackfillJob job, CancellationToken cancellationToken)
    {
        // A running job from before sources existed lists roleplay only.
        var source = job.Source ?? (job.Sources is null ? CallSources.Roleplay : null);
        if (job.Status != BackfillStatus.Running || job.NextPageQueued || source is null)
        {
            return;
        }

        var origin = job.Kind == BackfillKind.Rescan ? WorkOrigin.Rescan : WorkOrigin.Backfill;
        await _queue.EnqueueAsync(new BackfillPageWorkItem { Origin = origin, JobId = job.JobId, Page = job.PagesDone + 1, Source = source, Cursor = job.NextCursor, ReceivedAt = _time.GetUtcNow() }, cancellationToken);
        await _jobs.UpsertEntityAsync(new BackfillJobPatch { RowKey = job.JobId, NextPageQueued = true }, TableUpdateMode.Merge, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.BackfillStarted, Level = LogLevel.Information, Message = "{Kind} {JobId} started for calls {From:o} to {To:o} (sources {Sources})")]
        public static partial void Started(ILogger logger, string jobId, string kind, DateTimeOffset from, DateTimeOffset to, string sources);

        [LoggerMessage(EventId = LogEvents.BackfillStopped, Level = LogLevel.Error, Message = "Backfill {JobId} stopped at page {Page}: {Error}")]
        public static partial void Stopped(ILogger logger, string jobId, int page, string error);

        [LoggerMessage(EventId = LogEvents.BackfillPage, Level = LogLevel.Information, Message = "Backfill {JobId} page {Page} ({Source}): {Listed} listed, {Queued} queued ({Status})")]
        public static partial void Page(ILogger logger, string jobId, int page, string source, int listed, int queued, string status);
    }
}
