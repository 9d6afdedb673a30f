using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// The backstop for dropped webhooks: for each call source, lists the calls Athos scored since that source's last
/// successful run (minus the overlap) and queues a fetch for each one that is missing or stale here.
/// </summary>
/// <remarks>
/// Roleplay is listed first: its rows tell which contract the tenant is on. Real calls exist only in the current
/// contract, whose list requires <c>source</c>; on an early-contract tenant asking for them would be refused, so they
/// are listed only once Athos has shown the current contract (in a list row or a detail).
/// </remarks>
internal sealed partial class Reconciler
{
    private readonly AthosClient _athos;
    private readonly CallPager _pager;
    private readonly MissingCallFinder _finder;
    private readonly StoredWindow _stored;
    private readonly ReconcileStateStore _state;
    private readonly ReconcileRunLog _runs;
    private readonly LeaseLock _locks;
    private readonly IOptions<ReconcileOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<Reconciler> _logger;
    private readonly AthosMetrics _metrics;

    public Reconciler(AthosClient athos, CallPager pager, MissingCallFinder finder, StoredWindow stored, ReconcileStateStore state, ReconcileRunLog runs, LeaseLock locks, IOptions<ReconcileOptions> options, TimeProvider time, ILogger<Reconciler> logger, AthosMetrics metrics)
    {
        _athos = athos;
        _pager = pager;
        _finder = finder;
        _stored = stored;
        _state = state;
        _runs = runs;
        _locks = locks;
        _options = options;
        _time = time;
        _logger = logger;
        _metrics = metrics;
    }

    internal const string LockName = "reconcile";

    /// <summary>A window is listed in chunks of this much (on the source's time axis), oldest first, progress saved after each.</summary>
    internal static readonly TimeSpan ChunkSpan = TimeSpan.FromHours(6);

    /// <summary>Runs once, unless another run holds the lock. Failures are reported in the result, not thrown.</summary>
    internal async Task<ReconcileRun> RunAsync(CancellationToken cancellationToken = default)
    {
        var startedAt = _time.GetUtcNow();
        await using var held = await _locks.TryAcquireAsync(LockName, cancellationToken);
        if (held is null)
        {
            Log.Skipped(_logger);
            var skipped = new ReconcileRun { Status = ReconcileOutcome.Skipped, StartedAt = startedAt };
            _metrics.ReconcileEnded(skipped);
            return skipped;
        }

        var logged = await _runs.StartAsync(_time.GetUtcNow(), cancellationToken);
        ReconcileRun? result = null;
        try
        {
            result = await RunHoldingLockAsync(startedAt, cancellationToken);
            return result;
        }
        finally
        {
            // Recorded before the lock is let go, whether the run returned or threw (storage gone as it saved its summary).
            await _runs.EndAsync(logged, result ?? new ReconcileRun { Status = ReconcileOutcome.Failed, StartedAt = startedAt, EndedAt = _time.GetUtcNow() }, CancellationToken.None);
        }
    }

    private async Task<ReconcileRun> RunHoldingLockAsync(DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        var settings = _options.Value;
        var current = await _state.GetAsync(cancellationToken);
        var run = new RunProgress(current.Contract);
        foreach (var source in settings.SourceList())
        {
            if (source == CallSources.RealCall && run.Contract != AthosContract.Current)
            {
                if (run.Contract is null)
                {
                    await ProbeContractAsync(run, startedAt - settings.RescanWindow, startedAt, cancellationToken);
                }

                if (run.Contract != AthosContract.Current)
                {
                    var why = run.Contract is null
                        ? "not listed: Athos has not yet shown which contract this tenant is on (no call listed or fetched yet)"
                        : "not listed: this tenant is on Athos's early contract, which has roleplay calls only";
                    run.Sources.Add(new SourceRun(source, ReconcileOutcome.Skipped, Note: why));
                    continue;
                }
            }

            var axisOverlap = settings.Overlap + (source == CallSources.RealCall ? settings.RealCallMaxDuration : TimeSpan.Zero);
            var from = (current.WatermarkOf(source) ?? startedAt - settings.Lookback) - axisOverlap;
            run.Sources.Add(await ReconcileSourceAsync(run, source, from, startedAt, settings, cancellationToken));
        }

        var failed = run.Sources.Where(s => s.Status == ReconcileOutcome.Failed).ToList();
        var listed = run.Sources.Where(s => s.Status != ReconcileOutcome.Skipped).ToList();
        var result = new ReconcileRun
        {
            Status = failed.Count > 0 ? ReconcileOutcome.Failed
                : run.Sources.Any(s => s.Status == ReconcileOutcome.Partial) ? ReconcileOutcome.Partial
                : ReconcileOutcome.Succeeded,
            StartedAt = startedAt,
            EndedAt = _time.GetUtcNow(),
            From = listed.Count == 0 ? null : listed.Min(s => s.From),
            To = startedAt,
            Pages = run.Sources.Sum(s => s.Pages),
            Listed = run.Sources.Sum(s => s.Listed),
            Missing = run.Sources.Sum(s => s.Missing),
            Stale = run.Sources.Sum(s => s.Stale),
            Queued = run.Sources.Sum(s => s.Queued),
            Pending = run.Sources.Sum(s => s.Pending),
            SkippedIds = run.Sources.Sum(s => s.SkippedIds),
            AthosRequests = run.Requests,
            Errors = failed.Count,
            Error = failed.Count == 0 ? null : string.Join(" ", failed.Select(s => $"{s.Source}: {s.Note}")),
            Contract = run.Contract,
            Sources = run.Sources,
        };
        await _state.SaveRunAsync(result, cancellationToken);
        _metrics.ReconcileEnded(result);
        if (result.Status is ReconcileOutcome.Succeeded or ReconcileOutcome.Partial)
        {
            var sources = string.Join(",", listed.Select(s => s.Source));
            var contractName = ContractName(result.Contract);
            var status = AthosMetrics.StatusName(result.Status);
            Log.Succeeded(_logger, result.From ?? startedAt, startedAt, result.Pages, result.Listed, result.Missing, result.Stale, (result.EndedAt.Value - startedAt).TotalMilliseconds, contractName, sources, status, result.Queued);
        }

        return result;
    }

    /// <summary>
    /// The run both hosts' timers make, and the one failure policy: as <see cref="RunAsync"/>, but a failed run, once
    /// recorded and logged, is thrown as <see cref="ReconcileFailedException"/>, so that the host's scheduler counts a
    /// failed occurrence (Functions: a failed invocation; the local runner: event 5102) and runs the next one as usual.
    /// </summary>
    public async Task RunOnScheduleAsync(CancellationToken cancellationToken = default)
    {
        var run = await RunAsync(cancellationToken);
        if (run.Status == ReconcileOutcome.Failed)
        {
            throw new ReconcileFailedException(run.Error);
        }
    }

    /// <summary>
    /// Lists one source's window in chunks, oldest first, saving the watermark after each chunk; stops starting new
    /// chunks once the run's budget is spent (<see cref="ReconcileOutcome.Partial"/>: the next run carries on).
    /// </summary>
    private async Task<SourceRun> ReconcileSourceAsync(RunProgress run, string source, DateTimeOffset from, DateTimeOffset startedAt, ReconcileOptions settings, CancellationToken cancellationToken)
    {
        var budget = settings.RunBudget;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var totals = new SourceRun(source, ReconcileOutcome.Succeeded, from, startedAt);
        var chunkStart = from;
        while (chunkStart < startedAt)
        {
            if (chunkStart > from && _time.GetUtcNow() - startedAt >= budget)
            {
                Log.Partial(_logger, source, chunkStart, startedAt);
                return totals with { Status = ReconcileOutcome.Partial, CaughtUpTo = chunkStart, Note = $"the run's budget ({budget}) was spent with the window covered up to {chunkStart:o}; the next run carries on from there" };
            }

            var chunkEnd = chunkStart + ChunkSpan < startedAt ? chunkStart + ChunkSpan : startedAt;
            try
            {
                // What is stored for the chunk, read by range from the day index (bounded by endedAt: a real call listed by
                // its start ends up to the longest call later).
                var endedBy = source == CallSources.RealCall && chunkEnd + settings.RealCallMaxDuration < startedAt ? chunkEnd + settings.RealCallMaxDuration : chunkEnd;
                var window = await _stored.ReadAsync(chunkStart, source == CallSources.RealCall ? endedBy : chunkEnd, cancellationToken);
                await foreach (var page in _pager.PagesAsync(new CallListQuery(source, chunkStart, chunkEnd), cancellationToken))
                {
                    run.Requests++;
                    run.Observe(page.Data.Count > 0 ? page.Data[0].Contract : null);
                    var fresh = page.Data.Where(c => seen.Add(c.Id)).ToList();
                    var gaps = await _finder.QueueMissingAsync(fresh, page.RequestId, WorkOrigin.Reconcile, startedAt, window, cancellationToken);
                    totals = totals with
                    {
                        Pages = totals.Pages + 1,
                        Listed = totals.Listed + fresh.Count,
                        Missing = totals.Missing + gaps.Missing,
                        Stale = totals.Stale + gaps.Stale,
                        Pending = totals.Pending + gaps.Pending,
                        SkippedIds = totals.SkippedIds + gaps.Skipped,
                    };
                }

                // The chunk is covered: a run cut short from here on (its budget, or the host killing it) keeps it.
                await _state.SaveWatermarkAsync(source, chunkEnd, cancellationToken);
            }
            catch (Exception ex) when (ex is AthosApiException || ex.IsStorageFailure())
            {
                run.Requests++;
                Log.Failed(_logger, ex, source, totals.Pages + 1, (ex as AthosApiException)?.RequestId);
                return totals with { Status = ReconcileOutcome.Failed, CaughtUpTo = chunkStart, Note = ex.Message };
            }

            chunkStart = chunkEnd;
        }

        return totals with { CaughtUpTo = startedAt };
    }

    // One roleplay row of the rescan window tells the contract: both contracts serve roleplay.
    private async Task ProbeContractAsync(RunProgress run, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        try
        {
            run.Requests++;
            run.Observe(await _athos.ProbeContractAsync(from, to, cancellationToken));
        }
        catch (AthosApiException ex)
        {
            Log.ProbeFailed(_logger, ex, ex.RequestId);
        }
    }

    private static string ContractName(AthosContract? contract) => contract?.ToStorageName() ?? "unknown";

    /// <summary>What a run has learnt so far: the contract (from its rows, else the stored one) and its sources.</summary>
    private sealed class RunProgress(AthosContract? contract)
    {
        public AthosContract? Contract { get; private set; } = contract;

        public int Requests { get; set; }

        public List<SourceRun> Sources { get; } = [];

        public void Observe(AthosContract? seen)
        {
            if (seen is { } contract)
            {
                Contract = contract;
            }
        }
    }

    private static partial class Log
    {
        // What the "reconcile has not succeeded" alert counts: a partial run is progress too (Status says which).
        [LoggerMessage(EventId = LogEvents.ReconcileSucceeded, Level = LogLevel.Information, Message = "Reconcile succeeded: {From:o} to {To:o}, {Pages} pages, {Listed} listed, {Missing} missing, {Stale} stale, in {ElapsedMs:0} ms (contract {Contract}, sources {Sources}, status {Status}, {Queued} queued)")]
        public static partial void Succeeded(ILogger logger, DateTimeOffset from, DateTimeOffset to, int pages, int listed, int missing, int stale, double elapsedMs, string contract, string sources, string status, int queued);

        [LoggerMessage(EventId = LogEvents.ReconcileFailed, Level = LogLevel.Error, Message = "Reconcile of {Source} failed on page {Page} (Athos request {AthosRequestId}); its watermark stays and the next run covers the window again")]
        public static partial void Failed(ILogger logger, Exception exception, string source, int page, string? athosRequestId);

        [LoggerMessage(EventId = LogEvents.ReconcileSkipped, Level = LogLevel.Warning, Message = "Reconcile skipped: another run holds the lock")]
        public static partial void Skipped(ILogger logger);

        [LoggerMessage(EventId = LogEvents.ReconcilePartial, Level = LogLevel.Warning, Message = "Reconcile of {Source} used its time budget with its window covered up to {CaughtUpTo:o} of {To:o}; the next run carries on")]
        public static partial void Partial(ILogger logger, string source, DateTimeOffset caughtUpTo, DateTimeOffset to);

        [LoggerMessage(EventId = LogEvents.ContractProbeFailed, Level = LogLevel.Warning, Message = "Could not ask Athos which contract this tenant is on (Athos request {AthosRequestId}); real calls wait for the next run")]
        public static partial void ProbeFailed(ILogger logger, Exception exception, string? athosRequestId);
    }
}
