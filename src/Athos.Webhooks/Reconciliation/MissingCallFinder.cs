using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;
using Athos.Webhooks.WorkItems;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// Compares listed calls with <c>AthosCalls</c> (one point read each, in parallel) and queues a fetch for every call
/// that is missing or stale, and, on a rescan, every call whose recording is not copied yet. Shared by the scheduled
/// reconcile, backfills and the rescan.
/// </summary>
public sealed class MissingCallFinder(CallRowWriter rows, WorkQueue queue, IOptionsMonitor<ReconcileOptions> options)
{
    public async Task<GapCount> QueueMissingAsync(IReadOnlyList<CallSummary> listed, WorkOrigin origin, DateTimeOffset runStartedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listed);
        var missing = 0;
        var stale = 0;
        var recordings = 0;
        var retryRecordings = origin == WorkOrigin.Rescan;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.CurrentValue.Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(listed, parallel, async (call, ct) =>
        {
            if (!CallId.TryParse(call.Id, out var callId))
            {
                // An id Athos itself listed but that is unsafe to use: never let it reach a URL or a table key.
                throw new AthosApiException(AthosErrorKind.InvalidRequest, $"Athos listed a call whose id is not a valid call id ({call.Id.Length} characters).");
            }

            var stored = await rows.ReadAsync(callId.Value, ct);
            var gap = stored switch
            {
                null => Gap.Missing,
                // A listed call is scored: a stored failure, or an older score, is stale.
                _ when stored.Status != CallStatus.Scored || (stored.ScoredAt ?? DateTimeOffset.MinValue) < (call.ScoredAt ?? DateTimeOffset.MinValue) => Gap.Stale,
                // The rescan retries a recording not copied yet: Athos still has it inside the rescan window.
                { RecordingStatus: RecordingStatus.Pending or RecordingStatus.Failed } when retryRecordings => Gap.Recording,
                _ => Gap.None,
            };
            if (gap == Gap.None)
            {
                return;
            }

            await queue.EnqueueAsync(new FetchCallWorkItem { Origin = origin, CallId = callId, ReceivedAt = runStartedAt }, ct);
            _ = gap switch
            {
                Gap.Missing => Interlocked.Increment(ref missing),
                Gap.Stale => Interlocked.Increment(ref stale),
                _ => Interlocked.Increment(ref recordings),
            };
        });

        return new GapCount(missing, stale, recordings);
    }

    private enum Gap
    {
        None,
        Missing,
        Stale,
        Recording,
    }
}

/// <summary>How many listed calls were missing, stale, or had a recording still to copy (each one was queued).</summary>
public readonly record struct GapCount(int Missing, int Stale, int Recordings = 0)
{
    public int Queued => Missing + Stale + Recordings;
}
