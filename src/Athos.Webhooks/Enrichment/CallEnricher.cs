using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Erasure;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Athos.Webhooks.WorkItems;
using Athos.Webhooks.Writing;

namespace Athos.Webhooks.Enrichment;

/// <summary>Turns work items into stored versions: the detail fetched, archived, its recording copied, projected into the tables.</summary>
internal sealed class CallEnricher(
    AthosClient athos,
    CallRowWriter rows,
    CallArchive archive,
    RecordingArchiver recordings,
    RecordingWork recordingWork,
    CallGate gate,
    CallBlobEraser erasedBlobs,
    IOptions<EnrichmentOptions> options,
    IOptions<ReconcileOptions> reconcile,
    QueueOptions queueOptions,
    TimeProvider time)
{
    /// <summary>
    /// Fetches a call's detail and stores it if it is newer than what is stored, then copies its recording (also when the
    /// stored version's copy is still pending or failed). <c>CALL_NOT_FOUND</c> is an outcome; every other Athos failure is
    /// thrown as <see cref="AthosApiException"/>.
    /// </summary>
    /// <remarks>
    /// An item that knows which version it is about (<see cref="AnnouncedScoredAt"/>) reads the row first: when a row at
    /// least that new is stored already (another copy of the item got there first), nothing is fetched, and the row read
    /// is the writer's. A webhook announces a call when it is first scored, so a young webhook item's row is written on
    /// the guess that there is none yet (no read first), unless another item of the call went first here
    /// (<see cref="CallGate"/>). An erased call (its tombstone read, or met by the write) completes as
    /// <see cref="WorkOutcome.Erased"/>: what the write put before the commit is taken back, the blobs here.
    /// The steps read in order: read (or guess) the stored row, fetch the detail, plan the write, archive the body while
    /// the writer puts the index rows, commit, then copy the recording.
    /// </remarks>
    public async Task<EnrichmentResult> FetchAndStoreAsync(FetchCallWorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var callId = item.CallId;

        // When the recording's copy must stop in this attempt (the rest becomes its own work item): a time, so that an
        // item with no recording to copy starts no timer.
        var copyEnds = time.GetUtcNow() + queueOptions.AttemptBudget;
        using var turn = await gate.EnterAsync(callId.Value, cancellationToken);
        var prior = item.Origin == WorkOrigin.Webhook && !turn.Waited ? PriorRow.ProbablyAbsent : PriorRow.Unknown;
        if (AnnouncedScoredAt(item, turn.Waited) is { } announced)
        {
            var current = await rows.ReadAsync(callId.Value, cancellationToken);
            if (current is { IsErased: true })
            {
                return new(WorkOutcome.Erased);
            }

            if (current is { Status: CallStatus.Scored, ScoredAt: { } scoredAt } && scoredAt >= announced && FetchedSince(current, item))
            {
                // The writer of the stored version may have died between its commit and its change: complete it.
                await rows.CompletePendingChangeAsync(current, cancellationToken);
                return new(WorkOutcome.Unchanged);
            }

            prior = PriorRow.Of(current);
        }

        // The row records when its detail was asked for, not when the answer came: a late copy's check (FetchedSince) must
        // know that the fetch began after its webhook arrived.
        var requestedAt = time.GetUtcNow();
        CallDetailResponse response;
        try
        {
            response = await athos.GetCallAsync(callId, cancellationToken);
        }
        catch (AthosApiException ex) when (ex.Kind == AthosErrorKind.NotFound)
        {
            return new(WorkOutcome.NotFound);
        }

        var call = response.Call;
        var row = CallProjection.FromDetail(call, response.RequestId, requestedAt);
        var version = CallVersion.Of(row);
        var body = CallProjection.ArchiveBody(response.RawJson, options.Value.StoreTranscripts);
        var archived = false;
        var write = await rows.PlanAsync(row, prior, cancellationToken);
        while (write.Result is null)
        {
            // Decided to write over write.Stored: the body is archived before the commit (and again after a lost race),
            // and the row says where its recording stands, which the stored row may have archived already.
            archived = true;
            (row.RecordingStatus, row.RecordingError, _) = recordings.AtCommit(call, write.Stored);
            var archiving = archive.WriteAsync(callId.Value, body, version, probablyExists: write.Stored is not null, cancellationToken);
            write = await rows.CommitAsync(write, archiving, cancellationToken);
        }

        var result = write.Result.Value;
        if (result.Outcome == RowWriteOutcome.Erased)
        {
            if (archived)
            {
                await erasedBlobs.EraseAsync(callId.Value, [], [], cancellationToken);
            }

            return new(WorkOutcome.Erased) { Contract = call.Contract };
        }

        // The call is committed first: its recording, however slow, is copied after (RecordingWork).
        var pending = result switch
        {
            { Outcome: RowWriteOutcome.Stored } when row.RecordingStatus == RecordingStatus.Pending => row,
            { Outcome: RowWriteOutcome.Unchanged, Stored: { RecordingStatus: RecordingStatus.Pending or RecordingStatus.Failed } stored } => stored,
            _ => null,
        };
        var enriched = result.Outcome == RowWriteOutcome.Stored
            ? EnrichmentResult.Stored(call.ScoredAt, time.GetUtcNow(), call.Source, call.Contract) with { AgentId = call.AgentId }
            : new(WorkOutcome.Unchanged) { Contract = call.Contract, AgentId = call.AgentId };
        if (pending is not null)
        {
            await recordingWork.CopyAfterCommitAsync(callId, call, pending, item.Origin, copyEnds, cancellationToken);
        }

        return enriched;
    }

    /// <summary>
    /// The <c>scoredAt</c> of the version an item announces, when a stored row may already hold it: the list's, for an
    /// item a reconcile, backfill or rescan queued; a webhook's <c>occurredAt</c> once the item is at least
    /// <c>ATHOS_RECONCILE_QUEUE_DELAY</c> old, or when it waited for another item of its call. Until then no copy queued
    /// from a list can have stored the call (those wait that long after the call is listed, which is after it was
    /// scored), so a young webhook item spares the read.
    /// </summary>
    private DateTimeOffset? AnnouncedScoredAt(FetchCallWorkItem item, bool waited) => item switch
    {
        { ListedScoredAt: { } listed } => listed,
        { OccurredAt: { } occurred } when waited || time.GetUtcNow() - occurred >= reconcile.Value.QueueDelay => occurred,
        _ => null,
    };

    /// <summary>
    /// Whether the stored row can hold what the item announces. A listed <c>scoredAt</c> is the version itself. A
    /// webhook's <c>occurredAt</c> is Athos's own timestamp of the event, whose meaning the contract does not pin down: it
    /// is trusted only for a row whose fetch began after the webhook arrived here (our clocks on both sides: two
    /// instances' clocks a second apart could let a fetch begun that much earlier count), which holds the announced version
    /// whatever that timestamp means; an older row, say a re-score's previous version, or one whose fetch was already
    /// under way, is fetched over.
    /// </summary>
    private static bool FetchedSince(CallRow stored, FetchCallWorkItem item) =>
        item.ListedScoredAt is not null || item.ReceivedAt is not { } received || stored.EnrichedAt >= received;

    /// <summary>Records a scoring failure, unless the call already has a score (a score always wins) or was erased.</summary>
    public async Task<EnrichmentResult> RecordFailureAsync(ScoringFailedWorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        using var turn = await gate.EnterAsync(item.CallId.Value, cancellationToken);
        var write = await rows.WriteAsync(CallProjection.FromFailure(item, time.GetUtcNow()), PriorRow.Unknown, cancellationToken);
        return new(write.Outcome switch
        {
            RowWriteOutcome.Stored => WorkOutcome.FailureRecorded,
            RowWriteOutcome.Superseded => WorkOutcome.FailureIgnored,
            RowWriteOutcome.Erased => WorkOutcome.Erased,
            _ => WorkOutcome.Unchanged,
        });
    }
}
