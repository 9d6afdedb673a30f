using System.Text.Json;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Writing;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace Athos.Webhooks.Enrichment;

/// <summary>How far a reprojection has come.</summary>
/// <param name="Scanned">Archive blobs (and failed rows) looked at.</param>
/// <param name="Rewritten">Rows written: upgraded to the current schema, or missing and rebuilt.</param>
/// <param name="Current">Rows already on the current schema: left alone.</param>
/// <param name="Unreadable">Blobs that are not a call detail: left alone, logged.</param>
internal sealed record ReprojectProgress(int Scanned, int Rewritten, int Current, int Unreadable);

/// <summary>
/// Rebuilds the call tables from the archive blobs (the detail as Athos sent it), without asking Athos: rows written
/// under an older <see cref="CallRow.SchemaVersion"/> gain the new columns, and a row lost before its commit is
/// restored. Idempotent (a current row is not rewritten) and resumable (progress is saved after every page of blobs).
/// </summary>
internal sealed partial class CallReprojector(BlobServiceClient blobs, TableServiceClient tables, CallRowWriter rows, RecordingArchive recordings, IOptions<EnrichmentOptions> options, TimeProvider time, ILogger<CallReprojector> logger)
{
    private const int PageSize = 100;
    private const int Parallelism = 8;

    private readonly BlobContainerClient _archive = blobs.GetBlobContainerClient(StorageNames.RawCallsContainer);
    private readonly TableClient _state = tables.GetTableClient(StorageNames.StateTable);
    private readonly TableClient _calls = tables.GetTableClient(StorageNames.CallsTable);

    /// <summary>
    /// Reprojects every archived call whose blob was written at or after <paramref name="since"/> (all when null), then
    /// upgrades <c>failed</c> rows (which have no blob). Resumes an interrupted run with the same <paramref name="since"/>
    /// unless <paramref name="restart"/>.
    /// </summary>
    public async Task<ReprojectProgress> RunAsync(DateTimeOffset? since, bool restart, IProgress<ReprojectProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var saved = restart ? null : await LoadAsync(since, cancellationToken);
        var counts = new Counts(saved?.Progress);
        string? marker = saved?.Marker;
        if (saved is not { BlobsDone: true })
        {
            await foreach (var page in _archive.GetBlobsAsync(cancellationToken: cancellationToken).AsPages(marker, PageSize))
            {
                var blobsOfPage = page.Values.Where(b => b.Name.EndsWith(".json", StringComparison.Ordinal) && (since is null || b.Properties.LastModified >= since));
                await Parallel.ForEachAsync(blobsOfPage, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (blob, ct) =>
                    counts.Add(await ReprojectBlobAsync(blob.Name, ct)));
                marker = page.ContinuationToken;
                await SaveAsync(since, marker, blobsDone: string.IsNullOrEmpty(marker), counts.Snapshot(), cancellationToken);
                progress?.Report(counts.Snapshot());
            }

            await SaveAsync(since, null, blobsDone: true, counts.Snapshot(), cancellationToken);
        }

        // Failed calls have no detail at Athos, so no blob: their rows are carried over to the current schema as they are.
        var filter = TableClient.CreateQueryFilter($"Status eq {CallStatus.Failed} and SchemaVersion lt {CallRow.CurrentSchemaVersion}");
        await foreach (var failed in _calls.QueryAsync<CallRow>(filter, cancellationToken: cancellationToken))
        {
            failed.SchemaVersion = CallRow.CurrentSchemaVersion;
            var write = await rows.WriteAsync(failed, PriorRow.Unknown, cancellationToken);
            counts.Add(write.Outcome == RowWriteOutcome.Stored ? Change.Rewritten : Change.Current);
            progress?.Report(counts.Snapshot());
        }

        await _state.DeleteEntityAsync(ReprojectProgressRow.Partition, ReprojectProgressRow.Row, ETag.All, cancellationToken);
        var done = counts.Snapshot();
        Log.Completed(logger, done.Scanned, done.Rewritten, done.Current, done.Unreadable);
        return done;
    }

    private async Task<Change> ReprojectBlobAsync(string blobName, CancellationToken cancellationToken)
    {
        var callId = blobName[..^".json".Length];
        var stored = await rows.ReadAsync(callId, cancellationToken);
        if (stored is { SchemaVersion: >= CallRow.CurrentSchemaVersion })
        {
            return Change.Current;
        }

        return await ProjectBlobAsync(callId, stored, cancellationToken) switch
        {
            RowWriteOutcome.Stored => Change.Rewritten,
            null => Change.Unreadable,
            _ => Change.Current,
        };
    }

    /// <summary>
    /// Writes a call's rows from its archive blob through the writer, which keeps them only if newer than
    /// <paramref name="stored"/> (or of a newer schema); <see langword="null"/> when the blob is not a call detail.
    /// <c>verify --repair</c> uses it for a row behind its blob, or missing.
    /// </summary>
    internal async Task<RowWriteOutcome?> ProjectBlobAsync(string callId, CallRow? stored, CancellationToken cancellationToken)
    {
        var blobName = CallArchive.BlobName(callId);
        var content = (await _archive.GetBlobClient(blobName).DownloadContentAsync(cancellationToken)).Value.Content;
        CallDetail? detail;
        try
        {
            detail = JsonSerializer.Deserialize(content.ToMemory().Span, AthosJsonContext.Default.CallDetail);
        }
        catch (JsonException ex)
        {
            Log.Unreadable(logger, ex, blobName);
            return null;
        }

        if (detail is null || detail.Id != callId || !CallId.TryParse(callId, out _))
        {
            Log.Unreadable(logger, null, blobName);
            return null;
        }

        var row = CallProjection.FromDetail(detail, stored?.AthosRequestId, time.GetUtcNow());
        (row.RecordingStatus, row.RecordingError) = (stored?.RecordingStatus, stored?.RecordingError);
        if (row.RecordingStatus is null && options.Value.ArchiveRecordings)
        {
            row.RecordingStatus = await recordings.ExistsAsync(callId, cancellationToken) ? RecordingStatus.Archived
                : detail.AudioUrl is null ? RecordingStatus.None
                : RecordingStatus.Pending;
        }

        return (await rows.WriteAsync(row, PriorRow.Unknown, cancellationToken)).Outcome;
    }

    private async Task<Saved?> LoadAsync(DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var response = await _state.GetEntityIfExistsAsync<ReprojectProgressRow>(ReprojectProgressRow.Partition, ReprojectProgressRow.Row, cancellationToken: cancellationToken);
        if (!response.HasValue || response.Value!.Since != since)
        {
            // Nothing saved, or a run over another range: start from the beginning.
            return null;
        }

        var row = response.Value;
        return new Saved(
            row.Marker,
            row.BlobsDone,
            new ReprojectProgress(row.Scanned, row.Rewritten, row.Current, row.Unreadable));
    }

    private async Task SaveAsync(DateTimeOffset? since, string? marker, bool blobsDone, ReprojectProgress progress, CancellationToken cancellationToken) =>
        await _state.UpsertEntityAsync(
            new ReprojectProgressRow
            {
                Since = since,
                Marker = marker,
                BlobsDone = blobsDone,
                Scanned = progress.Scanned,
                Rewritten = progress.Rewritten,
                Current = progress.Current,
                Unreadable = progress.Unreadable,
            },
            TableUpdateMode.Replace,
            cancellationToken);

    private sealed record Saved(string? Marker, bool BlobsDone, ReprojectProgress Progress);

    private enum Change
    {
        Rewritten,
        Current,
        Unreadable,
    }

    private sealed class Counts(ReprojectProgress? start)
    {
        private int _scanned = start?.Scanned ?? 0;
        private int _rewritten = start?.Rewritten ?? 0;
        private int _current = start?.Current ?? 0;
        private int _unreadable = start?.Unreadable ?? 0;

        public void Add(Change change)
        {
            Interlocked.Increment(ref _scanned);
            _ = change switch
            {
                Change.Rewritten => Interlocked.Increment(ref _rewritten),
                Change.Current => Interlocked.Increment(ref _current),
                _ => Interlocked.Increment(ref _unreadable),
            };
        }

        public ReprojectProgress Snapshot() => new(Volatile.Read(ref _scanned), Volatile.Read(ref _rewritten), Volatile.Read(ref _current), Volatile.Read(ref _unreadable));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ReprojectCompleted, Level = LogLevel.Information, Message = "Reprojection completed: {Scanned} scanned, {Rewritten} rows rewritten, {Current} already current, {Unreadable} unreadable")]
        public static partial void Completed(ILogger logger, int scanned, int rewritten, int current, int unreadable);

        [LoggerMessage(EventId = LogEvents.ReprojectUnreadableBlob, Level = LogLevel.Warning, Message = "Archive blob {BlobName} is not a call detail; its row is left as it is")]
        public static partial void Unreadable(ILogger logger, Exception? exception, string blobName);
    }
}
