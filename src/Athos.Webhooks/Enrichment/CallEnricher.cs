using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.WorkItems;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Enrichment;

/// <summary>Turns work items into stored versions: the detail fetched, archived, its recording copied, projected into the tables.</summary>
public sealed class CallEnricher(
    AthosClient athos,
    CallRowWriter rows,
    CallArchive archive,
    RecordingArchiver recordings,
    ContractObserver contract,
    IOptionsMonitor<EnrichmentOptions> options,
    TimeProvider time)
{
    /// <summary>
    /// Fetches a call's detail and stores it if it is newer than what is stored; retries its recording when the stored
    /// version's copy is still pending or failed. <c>CALL_NOT_FOUND</c> is an outcome; every other Athos failure is
    /// thrown as <see cref="AthosApiException"/>.
    /// </summary>
    /// <param name="callId">The call.</param>
    /// <param name="listedScoredAt">
    /// The <c>scoredAt</c> a list showed when the call was queued: when a row at least that new is stored already (a
    /// webhook's fetch got there first), nothing is fetched.
    /// </param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public async Task<WorkOutcome> FetchAndStoreAsync(CallId callId, DateTimeOffset? listedScoredAt, CancellationToken cancellationToken)
    {
        if (listedScoredAt is { } listed && await rows.ReadAsync(callId.Value, cancellationToken) is { Status: CallStatus.Scored, ScoredAt: { } current } && current >= listed)
        {
            return WorkOutcome.Unchanged;
        }

        CallDetailResponse response;
        try
        {
            response = await athos.GetCallAsync(callId, cancellationToken);
        }
        catch (AthosApiException ex) when (ex.Kind == AthosErrorKind.NotFound)
        {
            return WorkOutcome.NotFound;
        }

        var call = response.Call;
        await contract.ObserveAsync(call.Contract, cancellationToken);
        var row = CallProjection.FromDetail(call, response.RequestId, time.GetUtcNow());
        var version = CallVersion.Of(row);
        var body = CallProjection.ArchiveBody(response.RawJson, options.CurrentValue.StoreTranscripts);
        var write = await rows.WriteAsync(
            row,
            async (stored, ct) =>
            {
                await archive.WriteAsync(callId.Value, body, version, probablyExists: stored is not null, ct);
                (row.RecordingStatus, row.RecordingError) = await recordings.ArchiveAsync(callId, call, version, stored, ct);
            },
            cancellationToken);

        if (write is { Result: RowWriteResult.Unchanged, Stored: { RecordingStatus: RecordingStatus.Pending or RecordingStatus.Failed } stored })
        {
            var copy = await recordings.ArchiveAsync(callId, call, version, stored, cancellationToken);
            if (copy != new RecordingCopy(stored.RecordingStatus, stored.RecordingError))
            {
                await rows.UpdateRecordingAsync(stored, copy.Status, copy.Error, cancellationToken);
            }
        }

        if (write.Result == RowWriteResult.Stored)
        {
            Freshness.Stored(call.ScoredAt, time.GetUtcNow(), call.Source);
        }

        return write.Result == RowWriteResult.Stored ? WorkOutcome.Stored : WorkOutcome.Unchanged;
    }

    /// <summary>Records a scoring failure, unless the call already has a score (a score always wins).</summary>
    public async Task<WorkOutcome> RecordFailureAsync(ScoringFailedWorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var write = await rows.WriteAsync(CallProjection.FromFailure(item, time.GetUtcNow()), null, cancellationToken);
        return write.Result switch
        {
            RowWriteResult.Stored => WorkOutcome.FailureRecorded,
            RowWriteResult.Superseded => WorkOutcome.FailureIgnored,
            _ => WorkOutcome.Unchanged,
        };
    }
}
