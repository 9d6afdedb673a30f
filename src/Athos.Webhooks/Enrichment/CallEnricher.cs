using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;
using Athos.Webhooks.WorkItems;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Enrichment;

/// <summary>Turns work items into stored versions: the detail fetched, archived and projected into the tables.</summary>
public sealed class CallEnricher(
    AthosClient athos,
    CallRowWriter rows,
    CallArchive archive,
    IOptionsMonitor<EnrichmentOptions> options,
    TimeProvider time)
{
    /// <summary>
    /// Fetches a call's detail and stores it if it is newer than what is stored. <c>CALL_NOT_FOUND</c> is an outcome;
    /// every other Athos failure is thrown as <see cref="AthosApiException"/>.
    /// </summary>
    public async Task<WorkOutcome> FetchAndStoreAsync(CallId callId, CancellationToken cancellationToken)
    {
        CallDetailResponse response;
        try
        {
            response = await athos.GetCallAsync(callId, cancellationToken);
        }
        catch (AthosApiException ex) when (ex.Kind == AthosErrorKind.NotFound)
        {
            return WorkOutcome.NotFound;
        }

        var row = CallProjection.FromDetail(response, time.GetUtcNow());
        var version = CallVersion.Of(row);
        var body = CallProjection.ArchiveBody(response, options.CurrentValue.StoreTranscripts);
        var result = await rows.WriteAsync(
            row,
            (stored, ct) => archive.WriteAsync(callId.Value, body, version, probablyExists: stored is not null, ct),
            cancellationToken);
        return result == RowWriteResult.Stored ? WorkOutcome.Stored : WorkOutcome.Unchanged;
    }

    /// <summary>Records a scoring failure, unless the call already has a score (a score always wins).</summary>
    public async Task<WorkOutcome> RecordFailureAsync(ScoringFailedWorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var result = await rows.WriteAsync(CallProjection.FromFailure(item, time.GetUtcNow()), null, cancellationToken);
        return result switch
        {
            RowWriteResult.Stored => WorkOutcome.FailureRecorded,
            RowWriteResult.Superseded => WorkOutcome.FailureIgnored,
            _ => WorkOutcome.Unchanged,
        };
    }
}
