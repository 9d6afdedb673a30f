using System.Globalization;
using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Exports;

/// <summary>
/// <c>calls/changes/date=YYYY-MM-DD/part-&lt;start&gt;.parquet</c>: the change feed appended in batches, each change exactly
/// once (docs/schema.md, "Blob container athos-exports"). <c>void</c> rows and the purge marker never reach it (the feed
/// skips them); nor do <c>erased</c> changes, which instead remove their call's rows from every file that holds them.
/// </summary>
/// <remarks>
/// A batch is the feed's changes after the stored checkpoint, up to <see cref="MaxBatch"/>. It is recorded as pending
/// (its bounds and file names) before its files are written, one per date of the changes' stamps, named after the
/// batch's start; the checkpoint moves only once they are committed. A run that finds a batch pending (the last one
/// died in between) reads the same range again and writes the same names: a file is replaced, never added beside.
/// </remarks>
internal sealed class ChangesExport(CallChangeFeed feed, ExportContainer files, ChangesExportState state, TimeProvider time)
{
    /// <summary>Where the dataset lives in <c>athos-exports</c>.</summary>
    public const string Prefix = "calls/changes/";

    /// <summary>The most changes one batch holds (memory: a few hundred bytes each).</summary>
    internal const int MaxBatch = 50_000;

    // The start of the feed has no checkpoint; its batch's files sort before every other.
    private const string StartName = "0000000000000000000";

    /// <summary>Exports every change the feed returns now, batch by batch; finishes a pending batch first.</summary>
    public async Task<ChangesExportResult> ExportAsync(CancellationToken cancellationToken)
    {
        var row = await state.GetAsync(cancellationToken);
        var result = new ChangesExportResult();
        try
        {
            while (true)
            {
                Batch batch;
                IReadOnlyList<string> recorded;
                var redo = row.PendingFrom is not null;
                if (row.PendingFrom is { } pendingFrom)
                {
                    // The last run died between its files and its checkpoint: exactly that batch again.
                    batch = await ReadAsync(pendingFrom, row.PendingTo, cancellationToken);
                    recorded = (row.PendingFiles ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                }
                else
                {
                    var from = row.Checkpoint ?? string.Empty;
                    batch = await ReadAsync(from, null, cancellationToken);
                    if (batch.Changes.Count == 0)
                    {
                        // Nothing to write: only the checkpoint moves (a quiet feed's stays recent).
                        if (batch.To != from)
                        {
                            Commit(row, batch.To, 0);
                            row = await state.SaveAsync(row, cancellationToken);
                        }

                        break;
                    }

                    recorded = [.. FilesOf(batch).Keys];
                    row.PendingFrom = from;
                    row.PendingTo = batch.To;
                    row.PendingFiles = string.Join('\n', recorded);
                    row = await state.SaveAsync(row, cancellationToken);
                }

                var written = await WriteAsync(batch, recorded, redo, result, cancellationToken);
                ExportCrashPoint.AfterCommit();
                Commit(row, batch.To, written);
                row.RebuildOwed |= batch.Erased.Count > 0;
                row = await state.SaveAsync(row, cancellationToken);
                result.Batches++;
                if (!batch.HasMore)
                {
                    break;
                }
            }

            row.LastRunError = null;
        }
        catch (Exception ex) when (ex.IsStorageFailure() || ex is CheckpointExpiredException or ClockSkewException or StorageConflictException)
        {
            result.Error = ex is CheckpointExpiredException
                ? $"{StorageFailure.FirstLine(ex)} Changes older than the feed's retention are lost to the export: see docs/operations.md, \"The analytics export\"."
                : StorageFailure.FirstLine(ex);
            row.LastRunError = result.Error;
        }

        row.LastRunAt = time.GetUtcNow();
        try
        {
            row = await state.SaveAsync(row, cancellationToken);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            result.Error ??= StorageFailure.FirstLine(ex);
        }

        result.Checkpoint = row.Checkpoint;
        result.RebuildOwed = row.RebuildOwed;
        result.ExportedThrough = row.ExportedThrough;
        return result;
    }

    /// <summary>The file name of the changes stamped on <paramref name="date"/> in the batch starting at <paramref name="from"/>.</summary>
    internal static string FileName(DateOnly date, string from) =>
        $"{Prefix}date={date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}/part-{(from.Length == 0 ? StartName : from)}.parquet";

    private static void Commit(ChangesExportStateRow row, string to, int rows)
    {
        row.Checkpoint = to;
        row.ExportedThrough = ChangeKeys.StampOf(to);
        row.Exported += rows;
        row.PendingFrom = null;
        row.PendingTo = null;
        row.PendingFiles = null;
    }

    /// <summary>The batch's rows by file, without erased calls' rows that precede their erasure, in feed order.</summary>
    private static Dictionary<string, List<ChangeRecord>> FilesOf(Batch batch)
    {
        var byFile = new Dictionary<string, List<ChangeRecord>>(StringComparer.Ordinal);
        foreach (var change in batch.Changes)
        {
            if (change.Kind == CallChangeKind.Erased
                || (batch.Erased.TryGetValue(change.CallId, out var erasedAt) && string.CompareOrdinal(change.Checkpoint, erasedAt) < 0))
            {
                continue;
            }

            var name = FileName(DateOnly.FromDateTime(change.ChangedAt.UtcDateTime), batch.From);
            if (!byFile.TryGetValue(name, out var rows))
            {
                byFile[name] = rows = [];
            }

            rows.Add(ChangeRecord.From(change));
        }

        return byFile;
    }

    /// <summary>Writes the batch's files, deletes a recorded one it no longer fills, and applies its erasures; returns the rows written.</summary>
    /// <remarks>
    /// A first attempt only creates its files (the names are the batch's own): a file found there was written by the run
    /// that redid the batch after this one lost its lease, and may have had an erasure applied since. A redo replaces.
    /// </remarks>
    private async Task<int> WriteAsync(Batch batch, IReadOnlyList<string> recorded, bool redo, ChangesExportResult result, CancellationToken cancellationToken)
    {
        var written = FilesOf(batch);
        var count = 0;
        foreach (var (name, rows) in written)
        {
            count += rows.Count;
            result.Bytes += redo ? await files.WriteAsync(name, rows, null, cancellationToken) : await files.CreateAsync(name, rows, cancellationToken);
            result.Rows += rows.Count;
            result.Files++;
        }

        // A recorded file the batch no longer fills: its call was erased since the first attempt.
        var emptied = recorded.Where(n => !written.ContainsKey(n)).ToList();
        foreach (var name in emptied)
        {
            await files.DeleteAsync(name, null, cancellationToken);
        }

        if (batch.Erased.Count > 0)
        {
            await EraseAsync(batch.Erased, written.Keys.ToHashSet(StringComparer.Ordinal), result, cancellationToken);
            result.ErasedCalls += batch.Erased.Count;
        }

        if (batch.Erased.Count > 0 || emptied.Count > 0)
        {
            // What earlier versions and snapshots hold of the dataset goes with the erased rows: of the files rewritten or
            // deleted now, of a batch's files written before (a batch redone), of files compaction deleted, and of files
            // an interrupted run rewrote before it got here (a redo no longer finds the call in them). One listing.
            var history = await files.DeleteHistoryUnderAsync(Prefix, cancellationToken);
            result.HistoryRemoved += history.Removed.Count;
            result.SoftDeleted += history.SoftDeleted;
            result.HistoryRefused += history.Refused;
        }

        return count;
    }

    /// <summary>
    /// Rewrites every earlier file that holds a row of an erased call, without those rows (deleted if nothing is left).
    /// Finding them reads only each file's <c>CallId</c> column.
    /// </summary>
    private async Task EraseAsync(IReadOnlyDictionary<string, string> erased, HashSet<string> clean, ChangesExportResult result, CancellationToken cancellationToken)
    {
        foreach (var name in await files.ListAsync(Prefix, cancellationToken))
        {
            if (clean.Contains(name) || !(await files.ReadCallIdsAsync(name, cancellationToken)).Overlaps(erased.Keys))
            {
                continue;
            }

            var (rows, read) = await files.ReadAsync(name, cancellationToken);
            var kept = rows.Where(r => !(erased.TryGetValue(r.CallId, out var erasedAt) && string.CompareOrdinal(r.Checkpoint, erasedAt) < 0)).ToList();
            if (kept.Count == 0)
            {
                await files.DeleteAsync(name, read, cancellationToken);
            }
            else
            {
                await files.WriteAsync(name, kept, read, cancellationToken);
            }

            result.Rewritten++;
        }
    }

    /// <summary>
    /// The changes after <paramref name="from"/> (empty: the start of the feed), up to <paramref name="upTo"/> when
    /// redoing a batch, else up to <see cref="MaxBatch"/>.
    /// </summary>
    private async Task<Batch> ReadAsync(string from, string? upTo, CancellationToken cancellationToken)
    {
        var changes = new List<CallChange>();
        var checkpoint = from;
        var hasMore = true;
        while (upTo is not null || changes.Count < MaxBatch)
        {
            var size = upTo is null ? Math.Min(CallChangeFeed.MaxPageSize, MaxBatch - changes.Count) : CallChangeFeed.MaxPageSize;
            var page = await feed.ReadChangesAsync(checkpoint.Length == 0 ? null : checkpoint, size, cancellationToken);
            var passed = false;
            foreach (var change in page.Changes)
            {
                if (upTo is not null && string.CompareOrdinal(change.Checkpoint, upTo) > 0)
                {
                    passed = true;
                    break;
                }

                changes.Add(change);
            }

            checkpoint = page.Checkpoint;
            if (upTo is not null && (passed || string.CompareOrdinal(checkpoint, upTo) >= 0 || !page.HasMore))
            {
                checkpoint = upTo;
                hasMore = true;
                break;
            }

            if (!page.HasMore)
            {
                hasMore = false;
                break;
            }
        }

        var erased = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var change in changes.Where(c => c.Kind == CallChangeKind.Erased))
        {
            erased[change.CallId] = change.Checkpoint;
        }

        return new Batch(from, checkpoint, changes, erased, hasMore);
    }

    /// <param name="From">The start checkpoint (empty: the start of the feed), which names the batch's files.</param>
    /// <param name="To">The checkpoint after the batch.</param>
    /// <param name="Changes">Its changes, in feed order.</param>
    /// <param name="Erased">Each call erased in it, with its <c>erased</c> change's checkpoint.</param>
    /// <param name="HasMore">Whether the feed may have more after it (a redone batch: look again).</param>
    private sealed record Batch(string From, string To, List<CallChange> Changes, Dictionary<string, string> Erased, bool HasMore);
}

/// <summary>What one changes export did.</summary>
internal sealed class ChangesExportResult
{
    public int Batches { get; set; }

    public int Rows { get; set; }

    public int Files { get; set; }

    public long Bytes { get; set; }

    /// <summary>Whether a rebuild is owed after the run (<see cref="ChangesExportStateRow.RebuildOwed"/>).</summary>
    public bool RebuildOwed { get; set; }

    /// <summary>Calls whose <c>erased</c> change this run saw.</summary>
    public int ErasedCalls { get; set; }

    /// <summary>Earlier files rewritten (or deleted) without an erased call's rows.</summary>
    public int Rewritten { get; set; }

    /// <summary>Previous versions and snapshots of those files deleted.</summary>
    public int HistoryRemoved { get; set; }

    /// <summary>Soft-deleted copies of those files, left for the account's soft-delete retention.</summary>
    public int SoftDeleted { get; set; }

    /// <summary>Previous versions or snapshots storage refused to delete (403).</summary>
    public int HistoryRefused { get; set; }

    public string? Checkpoint { get; set; }

    public DateTimeOffset? ExportedThrough { get; set; }

    public string? Error { get; set; }
}
