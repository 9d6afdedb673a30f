using Athos.Webhooks.Storage;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Parquet;
using Parquet.Serialization;

namespace Athos.Webhooks.Exports;

/// <summary>
/// The blobs of <c>athos-exports</c> as the changes dataset uses them: a Parquet file written as the rebuilt datasets'
/// files are (<see cref="ParquetBlobWriter{T}"/>: it appears whole or not at all), read back whole, or only its
/// <c>CallId</c> column through range reads.
/// </summary>
internal sealed class ExportContainer(BlobServiceClient blobs)
{
    private readonly BlobContainerClient _container = blobs.GetBlobContainerClient(StorageNames.ExportsContainer);

    /// <summary>
    /// Writes <paramref name="records"/> as one Parquet file named <paramref name="name"/>, replacing any, or with
    /// <paramref name="ifMatch"/> only the file as it was read (a rewrite from what was read: 412 when it changed since);
    /// returns its size.
    /// </summary>
    public Task<long> WriteAsync(string name, IReadOnlyCollection<ChangeRecord> records, ETag? ifMatch, CancellationToken cancellationToken) =>
        WriteOnlyIfAsync(name, records, Matching(ifMatch), "changed since this run read it", cancellationToken);

    /// <summary>
    /// Writes <paramref name="records"/> as the new file <paramref name="name"/>, only if there is none (a batch's first
    /// attempt: a file of that name was written by another run, which redid this batch after this one lost its lease).
    /// </summary>
    public Task<long> CreateAsync(string name, IReadOnlyCollection<ChangeRecord> records, CancellationToken cancellationToken) =>
        WriteOnlyIfAsync(name, records, new BlobRequestConditions { IfNoneMatch = ETag.All }, "exists already", cancellationToken);

    /// <summary>Every row of the file <paramref name="name"/>, and the ETag of what was read.</summary>
    public async Task<(IList<ChangeRecord> Rows, ETag ETag)> ReadAsync(string name, CancellationToken cancellationToken)
    {
        var content = (await _container.GetBlobClient(name).DownloadContentAsync(cancellationToken)).Value;
        await using var stream = content.Content.ToStream();
        return ((await ParquetSerializer.DeserializeAsync<ChangeRecord>(stream, cancellationToken: cancellationToken)).Data, content.Details.ETag);
    }

    /// <summary>
    /// The distinct call ids in the file <paramref name="name"/>, reading only the footer and the <c>CallId</c> column
    /// chunks (the blob's read stream is seekable and fetches ranges).
    /// </summary>
    public async Task<HashSet<string>> ReadCallIdsAsync(string name, CancellationToken cancellationToken)
    {
        await using var stream = await _container.GetBlobClient(name).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = CallIdReadBuffer }, cancellationToken);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken);
        var field = reader.Schema.GetDataFields().Single(f => f.Name == nameof(ChangeRecord.CallId));
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var group = 0; group < reader.RowGroupCount; group++)
        {
            using var rows = reader.OpenRowGroupReader(group);
            var values = new string[rows.RowCount];
            await rows.ReadAsync(field, values, null, cancellationToken);
            ids.UnionWith(values);
        }

        return ids;
    }

    /// <summary>The names of the blobs under <paramref name="prefix"/>, in name order.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var blob in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    /// <summary>
    /// Deletes <paramref name="name"/> with its snapshots (a blob that has any cannot be deleted alone), with
    /// <paramref name="ifMatch"/> only as it was read; one already gone is no failure (a rerun deletes again).
    /// </summary>
    public async Task DeleteAsync(string name, ETag? ifMatch, CancellationToken cancellationToken)
    {
        try
        {
            await _container.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, Matching(ifMatch), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            throw ChangedSinceRead(name, ex);
        }
    }

    // A rewrite or a delete decided on what was read applies only to that: a run that lost its lease while a newer one
    // rewrote the file for an erasure fails (412) instead of putting the erased rows back.
    private static BlobRequestConditions? Matching(ETag? read) => read is { } tag ? new BlobRequestConditions { IfMatch = tag } : null;

    private static StorageConflictException ChangedSinceRead(string name, RequestFailedException ex) => Conflict(name, "changed since this run read it", ex);

    private static StorageConflictException Conflict(string name, string found, RequestFailedException ex) =>
        new($"{name} {found} (another export run wrote it): left as it is, and the next run works from it", ex);

    // A write whose condition storage refuses (412; 409 for a create over an existing blob) meets another run's file.
    private async Task<long> WriteOnlyIfAsync(string name, IReadOnlyCollection<ChangeRecord> records, BlobRequestConditions? conditions, string found, CancellationToken cancellationToken)
    {
        try
        {
            return await ParquetBlobWriter<ChangeRecord>.WriteAsync(_container.GetBlockBlobClient(name), ExportColumns.Changes, records, conditions, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            throw Conflict(name, found, ex);
        }
    }

    /// <summary>
    /// Deletes the previous versions and snapshots of every blob under <paramref name="prefix"/> (rewritten or deleted
    /// for an erasure: they still hold the erased rows); soft-deleted copies are counted (<see cref="BlobHistory"/>).
    /// </summary>
    public Task<BlobHistoryRemoval> DeleteHistoryUnderAsync(string prefix, CancellationToken cancellationToken) =>
        BlobHistory.DeleteUnderAsync(_container, prefix, cancellationToken);

    /// <summary>The small JSON blob <paramref name="name"/> (a dataset's pointer), or null when there is none.</summary>
    public async Task<BinaryData?> ReadSmallAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await _container.GetBlobClient(name).DownloadContentAsync(cancellationToken)).Value.Content;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Copies the blob <paramref name="name"/> to <paramref name="path"/>.</summary>
    public async Task DownloadToAsync(string name, string path, CancellationToken cancellationToken) =>
        await _container.GetBlobClient(name).DownloadToAsync(path, cancellationToken);

    // Large enough that a changes file's footer and its CallId chunk usually come in one or two range reads.
    private const int CallIdReadBuffer = 1024 * 1024;
}
