using System.Collections.Concurrent;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Health;

/// <summary>
/// Is anything missing? For each call source, lists what Athos scored in a window (through <see cref="CallPager"/>,
/// as the reconciler does, and <c>real_call</c> only once the stored contract is the current one) and reads each
/// call's <c>AthosCalls</c> row: current, missing, or stale (by the reconciler's rule: a stored failure, or an older
/// <c>scoredAt</c>), or erased here (a tombstone: never stored again, so neither missing nor stale). A call scored too recently for the pipeline to have stored it yet (a webhook on its way, a dropped
/// one the next reconcile will find) is counted as in flight, not missing. Costs one list request per 100 calls and
/// one point read per call; reads only.
/// </summary>
internal sealed class CompletenessCheck(CallPager pager, CallReader reader, QueuedCalls queued, IOptions<ReconcileOptions> options)
{
    /// <summary>Missing or stale calls named in the report, at most.</summary>
    internal const int MaxNamed = 20;

    /// <summary>
    /// How long after scoring a call may still be on its way: one reconcile interval (a dropped webhook is found by the
    /// next run), the reconciler's queue delay, and two minutes to fetch and store it.
    /// </summary>
    public static TimeSpan InFlightGrace(ReconcileOptions settings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return ReconcileCadence.Interval(settings.ParseSchedule(), now) + settings.QueueDelay + TimeSpan.FromMinutes(2);
    }

    /// <summary>Checks the calls of every source whose list time (<c>endedAt</c>, or <c>startedAt</c> for real calls) is after <paramref name="since"/>.</summary>
    /// <param name="since">The window's start.</param>
    /// <param name="now">The window's end.</param>
    /// <param name="contract">The contract stored by the reconciler (<c>AthosState</c>): real calls are listed only on the current one.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <exception cref="AthosApiException">Athos could not be asked (unreachable, or refused the key).</exception>
    public async Task<CompletenessReport> CheckAsync(DateTimeOffset since, DateTimeOffset now, AthosContract? contract, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var grace = InFlightGrace(settings, now);
        var sources = new List<SourceCompleteness>();
        var incomplete = new ConcurrentBag<IncompleteCall>();
        foreach (var source in settings.SourceList())
        {
            if (source == CallSources.RealCall && contract != AthosContract.Current)
            {
                sources.Add(new SourceCompleteness(source, Skipped: contract is null
                    ? "not listed: Athos has not yet shown which contract this tenant is on (the reconciler records it)"
                    : "not listed: this tenant is on Athos's early contract, which has roleplay calls only"));
                continue;
            }

            // Real calls are listed by when they started: reach back over the longest call, keep those that ended in the window.
            var from = source == CallSources.RealCall ? since - settings.RealCallMaxDuration : since;
            int listed = 0, current = 0, missing = 0, stale = 0, inFlight = 0, skippedIds = 0, erased = 0;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var page in pager.PagesAsync(new CallListQuery(source, from, now), cancellationToken))
            {
                var calls = page.Data.Where(c => seen.Add(c.Id) && (source != CallSources.RealCall || c.EndedAt is null || c.EndedAt >= since)).ToList();
                listed += calls.Count;
                var parallel = new ParallelOptions { MaxDegreeOfParallelism = settings.Parallelism, CancellationToken = cancellationToken };
                await Parallel.ForEachAsync(calls, parallel, async (call, ct) =>
                {
                    if (!CallId.TryParse(call.Id, out var callId))
                    {
                        Interlocked.Increment(ref skippedIds);
                        return;
                    }

                    var stored = await reader.ReadRowAsync(callId.Value, ct);
                    if (stored is { IsErased: true })
                    {
                        Interlocked.Increment(ref erased);
                        return;
                    }

                    var listedScoredAt = call.ScoredAt ?? DateTimeOffset.MinValue;
                    var kind = stored switch
                    {
                        null => IncompleteCall.Missing,
                        _ when stored.Status != CallStatus.Scored || (stored.ScoredAt ?? DateTimeOffset.MinValue) < listedScoredAt => IncompleteCall.Stale,
                        _ => null,
                    };
                    if (kind is null)
                    {
                        Interlocked.Increment(ref current);
                    }
                    else if (call.ScoredAt is { } scoredAt && now - scoredAt < grace)
                    {
                        Interlocked.Increment(ref inFlight);
                    }
                    else
                    {
                        Interlocked.Increment(ref kind == IncompleteCall.Missing ? ref missing : ref stale);
                        if (incomplete.Count < MaxNamed)
                        {
                            incomplete.Add(new IncompleteCall(callId.Value, source, kind, call.ScoredAt, stored?.ScoredAt, await queued.IsPendingAsync(callId, ct)));
                        }
                    }
                });
            }

            sources.Add(new SourceCompleteness(source, listed, current, missing, stale, inFlight, skippedIds, erased));
        }

        return new CompletenessReport(since, now, grace, sources, [.. incomplete.OrderBy(c => c.ScoredAt).Take(MaxNamed)]);
    }
}

/// <summary>What <see cref="CompletenessCheck"/> found over a window.</summary>
/// <param name="Since">The window's start.</param>
/// <param name="Until">The window's end (when the check ran).</param>
/// <param name="InFlightGrace">Calls scored less than this before <paramref name="Until"/> are in flight, not missing.</param>
/// <param name="Sources">One entry per source of <c>ATHOS_SOURCES</c>.</param>
/// <param name="Incomplete">Up to <see cref="CompletenessCheck.MaxNamed"/> missing or stale calls, oldest first.</param>
internal sealed record CompletenessReport(DateTimeOffset Since, DateTimeOffset Until, TimeSpan InFlightGrace, IReadOnlyList<SourceCompleteness> Sources, IReadOnlyList<IncompleteCall> Incomplete)
{
    public int Missing => Sources.Sum(s => s.Missing);

    public int Stale => Sources.Sum(s => s.Stale);

    /// <summary>Nothing Athos listed is missing or stale here (calls in flight aside).</summary>
    public bool IsComplete => Missing + Stale == 0;
}

/// <summary>One source's counts: <paramref name="Listed"/> = current + missing + stale + in flight + skipped ids + erased.</summary>
/// <param name="Source">The call source.</param>
/// <param name="Listed">Calls Athos listed as scored in the window.</param>
/// <param name="Current">Stored with the listed version or a newer one.</param>
/// <param name="Missing">No row in <c>AthosCalls</c>.</param>
/// <param name="Stale">A row with an older version, or only a failure.</param>
/// <param name="InFlight">Missing or stale, but scored too recently to be expected yet.</param>
/// <param name="SkippedIds">Listed ids that are not valid call ids (the reconciler skips them too).</param>
/// <param name="Erased">Erased here (<c>forget</c>): a tombstone keeps them from being stored again while Athos lists them.</param>
/// <param name="Skipped">Why the source was not listed, when it was not.</param>
internal sealed record SourceCompleteness(string Source, int Listed = 0, int Current = 0, int Missing = 0, int Stale = 0, int InFlight = 0, int SkippedIds = 0, int Erased = 0, string? Skipped = null);

/// <summary>A call Athos lists as scored that is not stored current here.</summary>
/// <param name="CallId">The call.</param>
/// <param name="Source">Its source.</param>
/// <param name="Kind"><c>missing</c> or <c>stale</c>.</param>
/// <param name="ScoredAt">The <c>scoredAt</c> Athos lists.</param>
/// <param name="StoredScoredAt">The stored row's <c>ScoredAt</c>, if any.</param>
/// <param name="Queued">A reconcile, backfill or rescan has it on the queue and it was not processed yet.</param>
internal sealed record IncompleteCall(string CallId, string Source, string Kind, DateTimeOffset? ScoredAt, DateTimeOffset? StoredScoredAt, bool Queued)
{
    public const string Missing = "missing";
    public const string Stale = "stale";
}
