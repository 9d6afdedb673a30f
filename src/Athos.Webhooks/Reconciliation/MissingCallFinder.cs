using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.WorkItems;
using Athos.Webhooks.Writing;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// Compares listed calls with <c>AthosCalls</c> (one point read each, in parallel) and queues a fetch for every call
/// that is missing or stale, and, on a rescan, every call whose recording is not copied yet; unless the call is
/// already on the queue (<see cref="QueuedCalls"/>), or was erased (its row is a tombstone). Shared by the scheduled
/// reconcile, backfills and the rescan.
/// </summary>
internal sealed partial class MissingCallFinder(
    CallRowWriter rows,
    WorkQueue queue,
    QueuedCalls queued,
    IOptions<ReconcileOptions> options,
    ILogger<MissingCallFinder> logger)
{
    /// <param name="listed">Rows of one list page.</param>
    /// <param name="athosRequestId">The page's <c>X-Athos-Request-Id</c>, logged with anything odd in it.</param>
    /// <param name="origin">Why the calls are queued.</param>
    /// <param name="runStartedAt">The run's start, the items' <c>receivedAt</c>.</param>
    /// <param name="cancellationToken">Cancels the comparison.</param>
    public Task<GapCount> QueueMissingAsync(IReadOnlyList<CallSummary> listed, string? athosRequestId, WorkOrigin origin, DateTimeOffset runStartedAt, CancellationToken cancellationToken) =>
        QueueMissingAsync(listed, athosRequestId, origin, runStartedAt, window: null, cancellationToken);

    /// <summary>
    /// As above, comparing with <paramref name="window"/> (what a range read of the day index found) where it has the
    /// call, and reading <c>AthosCalls</c> only for the calls it does not have.
    /// </summary>
    internal async Task<GapCount> QueueMissingAsync(IReadOnlyList<CallSummary> listed, string? athosRequestId, WorkOrigin origin, DateTimeOffset runStartedAt, IReadOnlyDictionary<string, StoredVersion>? window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listed);
        int missing = 0, stale = 0, recordings = 0, pending = 0, skipped = 0;
        var retryRecordings = origin == WorkOrigin.Rescan;
        var settings = options.Value;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = settings.Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(listed, parallel, async (call, ct) =>
        {
            if (!CallId.TryParse(call.Id, out var callId, out var problem))
            {
                // An id Athos listed but that is unsafe to use: it never reaches a URL or a table key, and it must not
                // stop the rest of the page (or every later run) from being checked.
                Log.UnsafeId(logger, call.Id.Length, problem, athosRequestId);
                Interlocked.Increment(ref skipped);
                return;
            }

            StoredVersion? stored;
            string? recording = null;
            if (window is not null && window.TryGetValue(callId.Value, out var indexed))
            {
                stored = indexed;
            }
            else
            {
                var row = await rows.ReadAsync(callId.Value, ct);
                if (row is { IsErased: true })
                {
                    // Erased here: not queued again while its tombstone stands, whatever Athos lists.
                    return;
                }

                stored = row is null ? null : new StoredVersion(row.Status, row.ScoredAt);
                recording = row?.RecordingStatus;
            }

            var gap = stored switch
            {
                null => Gap.Missing,
                // A listed call is scored: a stored failure, or an older score, is stale.
                { } version when version.Status != CallStatus.Scored || (version.ScoredAt ?? DateTimeOffset.MinValue) < (call.ScoredAt ?? DateTimeOffset.MinValue) => Gap.Stale,
                // The rescan retries a recording not copied yet (it reads AthosCalls, where the recording's state is).
                _ when retryRecordings && recording is RecordingStatus.Pending or RecordingStatus.Failed => Gap.Recording,
                _ => Gap.None,
            };
            if (gap == Gap.None)
            {
                return;
            }

            _ = gap switch
            {
                Gap.Missing => Interlocked.Increment(ref missing),
                Gap.Stale => Interlocked.Increment(ref stale),
                _ => Interlocked.Increment(ref recordings),
            };
            if (await queued.IsPendingAsync(callId, ct))
            {
                Interlocked.Increment(ref pending);
                return;
            }

            // A recording still to copy is a recording item; a missing or stale call may find a webhook got there first,
            // which the delay gives time to.
            WorkItem item = gap == Gap.Recording
                ? new RecordingWorkItem { Origin = origin, CallId = callId, ReceivedAt = runStartedAt, Marked = true }
                : new FetchCallWorkItem { Origin = origin, CallId = callId, ReceivedAt = runStartedAt, ListedScoredAt = call.ScoredAt, Marked = true };
            await (settings.QueueDelay > TimeSpan.Zero ? queue.EnqueueAsync(item, settings.QueueDelay, ct) : queue.EnqueueAsync(item, ct));
            await queued.MarkAsync(callId, origin.ToStorageName(), settings.QueueDelay, ct);
        });

        return new GapCount(missing, stale, recordings, pending, skipped);
    }

    private enum Gap
    {
        None,
        Missing,
        Stale,
        Recording,
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ReconcileUnsafeId, Level = LogLevel.Warning, Message = "Athos listed a call whose id is not a valid call id ({Length} characters: {Problem}); skipped (Athos request {AthosRequestId})")]
        public static partial void UnsafeId(ILogger logger, int length, string problem, string? athosRequestId);
    }
}

/// <summary>
/// What a comparison found: calls missing, stale, or with a recording still to copy; of those, how many were already on
/// the queue (<see cref="Pending"/>, not queued again); and listed ids that were unsafe and skipped.
/// </summary>
internal readonly record struct GapCount(int Missing, int Stale, int Recordings = 0, int Pending = 0, int Skipped = 0)
{
    /// <summary>The calls queued now.</summary>
    public int Queued => Missing + Stale + Recordings - Pending;
}
