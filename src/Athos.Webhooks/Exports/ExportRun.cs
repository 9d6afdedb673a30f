using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;

namespace Athos.Webhooks.Exports;

/// <summary>
/// One run of the analytics export, on <c>ATHOS_EXPORT_SCHEDULE</c> (both hosts) or from <c>athos-webhooks export</c>:
/// the changes appended, then (asked) the date folders compacted, then the rebuilt datasets when due. A lease in
/// <c>athos-locks</c> keeps it to one instance at a time across hosts; a run that finds the lease held is skipped.
/// </summary>
internal sealed partial class ExportRun(LeaseLock locks, ChangesExport changes, ChangesExportState state, ChangesCompaction compaction, CurrentExport current, ExportContainer files, AthosMetrics metrics, TimeProvider time, ILogger<ExportRun> logger)
{
    internal const string LockName = "export";

    private const string LeaseLostError = "the run lost its lease (athos-locks/export.lock) and stopped before its next write; the next run carries on from the stored checkpoint";

    public async Task<ExportSummary> RunAsync(ExportRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = time.GetUtcNow();
        await using var held = await locks.TryAcquireAsync(LockName, cancellationToken);
        if (held is null)
        {
            Log.Skipped(logger);
            return new ExportSummary(ExportSummary.Skipped, started, time.GetUtcNow()) { Error = "another export run holds the lease (athos-locks/export.lock); try again when it is done" };
        }

        // Every write of the run is cancelled once the lease is lost: another run may have it, and a file this one rewrote
        // after that could bring back rows that run removed for an erasure.
        using var holding = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held.Lost);
        try
        {
            return await RunHoldingLeaseAsync(request, started, holding.Token);
        }
        catch (OperationCanceledException) when (held.Lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Log.Failed(logger, LeaseLostError);
            return new ExportSummary(ExportSummary.Failed, started, time.GetUtcNow()) { Error = LeaseLostError };
        }
    }

    private async Task<ExportSummary> RunHoldingLeaseAsync(ExportRequest request, DateTimeOffset started, CancellationToken cancellationToken)
    {
        var exported = await changes.ExportAsync(cancellationToken);
        CompactionResult? compacted = null;
        string? error = exported.Error;
        if (request.Compact && error is null)
        {
            try
            {
                compacted = await compaction.CompactAsync(cancellationToken);
            }
            catch (Exception ex) when (ex.IsStorageFailure() || ex is StorageConflictException)
            {
                error = "compaction failed (run it again): " + StorageFailure.FirstLine(ex);
            }
        }

        // An erasure (a call's erased change, forget --agent) owes a rebuild of calls/current, scores and agents, so that
        // what was erased leaves them in the same run as it left the changes; the debt is stored, so a rebuild that fails
        // is owed to the next run. --now forces one too; otherwise the rebuild schedule decides from the live version's
        // build time. A failed changes export leaves the rebuild to the next run.
        var rebuildForced = request.Now || exported.RebuildOwed;
        CurrentExportSummary? rebuilt = null;
        var (historyRemoved, softDeleted, refused) = (exported.HistoryRemoved, exported.SoftDeleted, exported.HistoryRefused);
        if (error is null)
        {
            try
            {
                var live = ExportPointer.Parse(await files.ReadSmallAsync(ExportPointer.NameOf(CurrentExport.CallsDataset), cancellationToken));
                if (rebuildForced || current.IsRebuildDue(time.GetUtcNow(), live?.BuiltAtUtc))
                {
                    // The debt as it stands before the rebuild reads anything: only that is settled by it.
                    var owed = exported.RebuildOwed ? await state.GetAsync(cancellationToken) : null;
                    rebuilt = await current.RebuildAsync(cancellationToken);
                    if (owed is not null)
                    {
                        await state.SettleRebuildAsync(owed, cancellationToken);
                    }
                }
            }
            catch (Exception ex) when (ex.IsStorageFailure() || ex is StorageConflictException)
            {
                error = "the rebuild of calls/current and scores failed (the next run tries again): " + StorageFailure.FirstLine(ex);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The rows wait in a local temporary file between the scan and the files (CallSpill).
                error = $"the rebuild of calls/current and scores failed on its temporary file in {Path.GetTempPath()} (full, or not writable; TMPDIR chooses the folder; the next run tries again): {ex.Message}";
            }
        }

        if (rebuilt is not null)
        {
            try
            {
                // The versions the rebuild removed (and, versioning on, every replaced file) leave previous versions and
                // snapshots holding what was erased since they were built: deleted with them.
                foreach (var dataset in new[] { CurrentExport.CallsDataset, CurrentExport.ScoresDataset, CurrentExport.AgentsDataset })
                {
                    var history = await files.DeleteHistoryUnderAsync(dataset + "/v=", cancellationToken);
                    (historyRemoved, softDeleted, refused) = (historyRemoved + history.Removed.Count, softDeleted + history.SoftDeleted, refused + history.Refused);
                }
            }
            catch (Exception ex) when (ex.IsStorageFailure())
            {
                error = "the rebuild is published, but deleting the replaced versions' history failed (the next rebuild tries again): " + StorageFailure.FirstLine(ex);
            }
        }

        var ended = time.GetUtcNow();
        var lag = exported.ExportedThrough is { } through ? ended - through : (TimeSpan?)null;
        if (lag is { } behind)
        {
            metrics.ExportLag(behind.TotalSeconds, ChangesExportDataset);
        }

        var summary = new ExportSummary(error is null ? ExportSummary.Succeeded : ExportSummary.Failed, started, ended)
        {
            Changes = new ChangesSummary(exported.Rows, exported.Files, exported.Bytes, exported.Batches, exported.ErasedCalls, exported.Rewritten, exported.Checkpoint, exported.ExportedThrough, lag is { } l ? Math.Round(l.TotalSeconds) : null),
            Compaction = compacted,
            RebuildForced = rebuildForced,
            Current = rebuilt,
            Error = error,
        };
        if (historyRemoved + softDeleted + refused > 0)
        {
            Log.HistoryRemoved(logger, refused > 0 ? LogLevel.Warning : LogLevel.Information, historyRemoved, softDeleted, refused);
        }

        if (error is null)
        {
            Log.Exported(logger, exported.Rows, exported.Files, exported.ErasedCalls, exported.Rewritten, summary.Changes.LagSeconds);
        }
        else
        {
            Log.Failed(logger, error);
        }

        return summary;
    }

    /// <summary>The <c>dataset</c> tag of the changes export's lag.</summary>
    internal const string ChangesExportDataset = "changes";

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ExportCompleted, Level = LogLevel.Information, Message = "Exported {Rows} changes in {Files} files; {ErasedCalls} erased calls removed from {Rewritten} earlier files; {LagSeconds} s behind")]
        public static partial void Exported(ILogger logger, int rows, int files, int erasedCalls, int rewritten, double? lagSeconds);

        [LoggerMessage(EventId = LogEvents.ExportFailed, Level = LogLevel.Warning, Message = "The export run failed; the next run carries on from the stored checkpoint: {Error}")]
        public static partial void Failed(ILogger logger, string error);

        // A Warning when storage refused to delete some: they still hold what was erased.
        [LoggerMessage(EventId = LogEvents.ExportHistoryRemoved, Message = "Export: {Removed} previous versions and snapshots of rewritten or removed files deleted; {SoftDeleted} soft-deleted copies remain until the account's soft-delete retention ends; {Refused} storage refused to delete (403: the identity needs deleteBlobVersion)")]
        public static partial void HistoryRemoved(ILogger logger, LogLevel level, int removed, int softDeleted, int refused);

        [LoggerMessage(EventId = LogEvents.ExportSkipped, Level = LogLevel.Information, Message = "Export run skipped: another run holds the lease")]
        public static partial void Skipped(ILogger logger);
    }
}

/// <param name="Now"><c>--now</c>: rebuild the rebuilt datasets whether due or not.</param>
/// <param name="Compact"><c>--compact</c>: merge each date's changes files into one.</param>
internal sealed record ExportRequest(bool Now = false, bool Compact = false);

/// <summary>What an export run did (<c>export --format json</c>; docs/operations.md).</summary>
/// <param name="Status"><c>succeeded</c>, <c>failed</c> or <c>skipped</c> (another run holds the lease).</param>
internal sealed record ExportSummary(string Status, DateTimeOffset StartedAt, DateTimeOffset EndedAt)
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Skipped = "skipped";

    public ChangesSummary? Changes { get; init; }

    public CompactionResult? Compaction { get; init; }

    /// <summary>The rebuild of <c>calls/current</c> and <c>scores</c> this run made, if it made one.</summary>
    public CurrentExportSummary? Current { get; init; }

    /// <summary>Whether this run asked for a rebuild of <c>calls/current</c> and <c>scores</c> (<c>--now</c>, or an erasure seen).</summary>
    public bool RebuildForced { get; init; }

    public string? Error { get; init; }
}

/// <param name="Rows">Changes written.</param>
/// <param name="Files">Files written (one per date per batch).</param>
/// <param name="Bytes">Their size.</param>
/// <param name="Batches">Batches committed.</param>
/// <param name="ErasedCalls">Calls whose <c>erased</c> change the run saw.</param>
/// <param name="Rewritten">Earlier files rewritten or deleted without those calls' rows.</param>
/// <param name="Checkpoint">The feed's checkpoint the export stands at.</param>
/// <param name="ExportedThrough">Every change stamped before this is exported.</param>
/// <param name="LagSeconds">The run's end minus <paramref name="ExportedThrough"/>.</param>
internal sealed record ChangesSummary(int Rows, int Files, long Bytes, int Batches, int ErasedCalls, int Rewritten, string? Checkpoint, DateTimeOffset? ExportedThrough, double? LagSeconds);
