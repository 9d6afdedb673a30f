using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Webhooks;
using Athos.Webhooks.WorkItems;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// The backstop for dropped webhooks: lists the calls Athos scored since the last successful run (minus the
/// overlap) and queues a fetch for each one that is missing or stale here.
/// </summary>
public sealed partial class Reconciler(
    AthosClient athos,
    MissingCallFinder finder,
    ReconcileStateStore state,
    LeaseLock locks,
    DeliveryLedger deliveries,
    IOptionsMonitor<ReconcileOptions> options,
    IOptionsMonitor<WebhookOptions> webhookOptions,
    TimeProvider time,
    ILogger<Reconciler> logger)
{
    public const string LockName = "reconcile";

    /// <summary>Runs once, unless another run holds the lock. Failures are reported in the result, not thrown.</summary>
    public async Task<ReconcileRun> RunAsync(CancellationToken cancellationToken = default)
    {
        var startedAt = time.GetUtcNow();
        await using var held = await locks.TryAcquireAsync(LockName, cancellationToken);
        if (held is null)
        {
            Log.Skipped(logger);
            return new ReconcileRun { Status = ReconcileStatus.Skipped, StartedAt = startedAt };
        }

        var settings = options.CurrentValue;
        var current = await state.GetAsync(cancellationToken);
        var from = (current.Watermark ?? startedAt - settings.Lookback) - settings.Overlap;
        var query = new CallListQuery(from, startedAt);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int pages = 0, listed = 0, requests = 0, missing = 0, stale = 0;
        string? cursor = null;
        string? error = null;

        try
        {
            do
            {
                requests++;
                var page = await athos.ListCallsPageAsync(query, cursor, cancellationToken);
                pages++;
                var fresh = page.Data.Where(c => seen.Add(c.Id)).ToList();
                listed += fresh.Count;
                var gaps = await finder.QueueMissingAsync(fresh, WorkOrigin.Reconcile, startedAt, cancellationToken);
                missing += gaps.Missing;
                stale += gaps.Stale;
                cursor = page.NextCursor;
            }
            while (cursor is not null);
        }
        catch (Exception ex) when (ex is AthosApiException || ex.IsStorageFailure())
        {
            error = ex.Message;
            Log.Failed(logger, ex, pages + 1, (ex as AthosApiException)?.RequestId);
        }

        var run = new ReconcileRun
        {
            Status = error is null ? ReconcileStatus.Succeeded : ReconcileStatus.Failed,
            StartedAt = startedAt,
            EndedAt = time.GetUtcNow(),
            From = from,
            To = startedAt,
            Pages = pages,
            Listed = listed,
            Missing = missing,
            Stale = stale,
            Queued = missing + stale,
            AthosRequests = requests,
            Errors = error is null ? 0 : 1,
            Error = error,
        };
        await state.SaveRunAsync(run, cancellationToken);
        if (run.Status == ReconcileStatus.Succeeded)
        {
            Log.Succeeded(logger, run.From.Value, run.To.Value, run.Pages, run.Listed, run.Missing, run.Stale, (run.EndedAt.Value - run.StartedAt).TotalMilliseconds);
            await PurgeDeliveriesIfDueAsync(current, cancellationToken);
        }

        return run;
    }

    // Housekeeping rides on the reconciler's schedule and lock: once a day, delivery records past retention go.
    private async Task PurgeDeliveriesIfDueAsync(ReconcileState current, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (current.LastPurgeAt is { } last && now - last < TimeSpan.FromDays(1))
        {
            return;
        }

        try
        {
            var purged = await deliveries.PurgeAsync(now - webhookOptions.CurrentValue.DeliveryRetention, cancellationToken);
            await state.SavePurgeAsync(now, cancellationToken);
            Log.Purged(logger, purged);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            Log.PurgeFailed(logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Reconcile succeeded: {From:o} to {To:o}, {Pages} pages, {Listed} listed, {Missing} missing, {Stale} stale, in {ElapsedMs:0} ms")]
        public static partial void Succeeded(ILogger logger, DateTimeOffset from, DateTimeOffset to, int pages, int listed, int missing, int stale, double elapsedMs);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "Reconcile failed on page {Page} (Athos request {AthosRequestId}); the watermark stays and the next run covers the window again")]
        public static partial void Failed(ILogger logger, Exception exception, int page, string? athosRequestId);

        [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Reconcile skipped: another run holds the lock")]
        public static partial void Skipped(ILogger logger);

        [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Purged {Count} webhook delivery records past retention")]
        public static partial void Purged(ILogger logger, int count);

        [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Purging old webhook delivery records failed; the next run tries again")]
        public static partial void PurgeFailed(ILogger logger, Exception exception);
    }
}
