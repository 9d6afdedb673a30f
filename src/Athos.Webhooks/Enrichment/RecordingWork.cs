using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Erasure;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.WorkItems;
using Athos.Webhooks.Writing;

namespace Athos.Webhooks.Enrichment;

/// <summary>
/// A call's recording, copied after its version is committed: first right after the commit, with the link the fetch
/// just returned, then, for whatever did not fit that attempt, as a <see cref="RecordingWorkItem"/> of its own, with its
/// own retries, deferral and parking. The row's <c>RecordingStatus</c> goes <c>pending</c> → <c>archived</c> (a change
/// of its own in the feed), or <c>failed</c> / <c>none</c> with the reason.
/// </summary>
internal sealed partial class RecordingWork(
    AthosClient athos,
    CallRowWriter rows,
    RecordingArchiver archiver,
    CallBlobEraser erasedBlobs,
    WorkQueue queue,
    QueuedCalls queued,
    QueueOptions queueOptions,
    TimeProvider time,
    ILogger<RecordingWork> logger)
{
    /// <summary>
    /// Copies the recording of <paramref name="row"/> (a committed version, or one found stored with its recording
    /// pending) with the link in <paramref name="call"/>, until <paramref name="copyEnds"/>; what remains is queued.
    /// </summary>
    public async Task CopyAfterCommitAsync(CallId callId, CallDetail call, CallRow row, WorkOrigin origin, DateTimeOffset copyEnds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        var left = copyEnds - time.GetUtcNow();
        using var stop = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero, time);
        // A new version's first copy starts from the first byte; one that failed before may have blocks staged.
        var copy = await archiver.ArchiveAsync(callId, call, CallVersion.Of(row), row, resume: row.RecordingError is not null, stop.Token, cancellationToken);
        await RecordAsync(row, copy, cancellationToken);
        if (copy.Status == RecordingStatus.Pending)
        {
            // At once when this attempt made progress; after the retry interval when the host failed. Not marked: the
            // mark is the fetch item's, which clears it when it ends (a rescan meanwhile may start a second copy, which
            // stages the same blocks; the first commit wins).
            await queue.EnqueueAsync(new RecordingWorkItem { Origin = origin, CallId = callId, ReceivedAt = time.GetUtcNow() }, copy.Continues ? TimeSpan.Zero : RetryDelay, cancellationToken);
            Log.Queued(logger, callId.Value, copy.Continues);
        }
    }

    /// <summary>
    /// One attempt of a <see cref="RecordingWorkItem"/>: a fresh link from Athos, the copy resumed within the attempt's
    /// time (<see cref="QueueOptions.AttemptBudget"/>), and the rest queued again when it made progress. A host that
    /// fails is thrown as <see cref="RecordingUnavailableException"/>, so the queue retries it.
    /// </summary>
    public async Task<WorkOutcome> ProcessAsync(RecordingWorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        using var stop = new CancellationTokenSource(queueOptions.AttemptBudget, time);
        var row = await rows.ReadAsync(item.CallId.Value, cancellationToken);
        if (row is null)
        {
            return WorkOutcome.Unchanged;
        }

        if (row.IsErased)
        {
            // Whatever an earlier attempt staged goes too.
            await erasedBlobs.EraseAsync(item.CallId.Value, [], [], cancellationToken);
            return WorkOutcome.Erased;
        }

        if (item.Continuations > MaxContinuations)
        {
            await RecordAsync(row, RecordingCopy.Failed($"The copy did not end within {MaxContinuations} attempts that each added part of it."), cancellationToken);
            return WorkOutcome.RecordingFailed;
        }

        // The version's own change, or the recording's if an earlier attempt died after recording it, is completed first.
        await rows.CompletePendingChangeAsync(row, cancellationToken);
        if (row is not { Status: CallStatus.Scored, RecordingStatus: RecordingStatus.Pending or RecordingStatus.Failed })
        {
            // Archived meanwhile, or not a scored call any more: nothing to copy.
            return WorkOutcome.Unchanged;
        }

        CallDetailResponse response;
        try
        {
            response = await athos.GetCallAsync(item.CallId, cancellationToken);
        }
        catch (AthosApiException ex) when (ex.Kind == AthosErrorKind.NotFound)
        {
            await RecordAsync(row, RecordingCopy.Failed("Athos no longer has the call (CALL_NOT_FOUND), so no link to its recording."), cancellationToken);
            return WorkOutcome.RecordingFailed;
        }

        var copy = await archiver.ArchiveAsync(item.CallId, response.Call, CallVersion.Of(row), row, resume: true, stop.Token, cancellationToken);
        await RecordAsync(row, copy, cancellationToken);
        switch (copy)
        {
            case { Continues: true }:
                // A marked chain keeps its call's mark (marked first, so the mark never lags the item).
                if (item.Marked)
                {
                    await queued.MarkAsync(item.CallId, item.Origin.ToStorageName(), TimeSpan.Zero, cancellationToken);
                }

                await queue.EnqueueAsync(item with { Continuations = item.Continuations + 1, Deferrals = 0 }, cancellationToken);
                Log.Queued(logger, item.CallId.Value, continues: true);
                return WorkOutcome.Deferred;
            case { Status: RecordingStatus.Pending }:
                throw new RecordingUnavailableException(copy.Error ?? "The recording could not be copied.");
            case { Status: RecordingStatus.Archived }:
                return WorkOutcome.Stored;
            default:
                return WorkOutcome.RecordingFailed;
        }
    }

    /// <summary>Enough attempts for the largest recording accepted at the least progress an attempt must make (2 GiB ÷ 256 KiB).</summary>
    private const int MaxContinuations = 8192;

    private TimeSpan RetryDelay => queueOptions.VisibilityTimeout < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : queueOptions.VisibilityTimeout;

    // Only what changed is written; a copy carrying on leaves the row pending as it is.
    private async Task RecordAsync(CallRow row, RecordingCopy copy, CancellationToken cancellationToken)
    {
        if (copy.Continues || (copy.Status, copy.Error) == (row.RecordingStatus, row.RecordingError))
        {
            return;
        }

        if (!await rows.UpdateRecordingAsync(row, copy.Status, copy.Error, cancellationToken)
            && copy.Status == RecordingStatus.Archived
            && await rows.ReadAsync(row.CallId, cancellationToken) is null or { IsErased: true })
        {
            // Erased while its recording was copied: the copy goes too, as forget would have taken it.
            await erasedBlobs.EraseAsync(row.CallId, [], [], cancellationToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RecordingQueued, Level = LogLevel.Information, Message = "Recording of call {CallId} queued as its own work item (continues a partial copy: {Continues})")]
        public static partial void Queued(ILogger logger, string callId, bool continues);
    }
}

/// <summary>The recording host failed or was too slow in this attempt (the row says why); the queue tries again.</summary>
internal sealed class RecordingUnavailableException : Exception
{
    public RecordingUnavailableException()
    {
    }

    public RecordingUnavailableException(string message)
        : base(message)
    {
    }

    public RecordingUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
