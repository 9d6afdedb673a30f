using System.Globalization;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;

namespace Athos.Webhooks.Exports;

/// <summary>
/// One folder of a version (a date partition, or the whole of a small dataset) as <c>part-NNNNN.parquet</c> files, rows
/// added one at a time and written as they come (<see cref="ParquetBlobWriter{T}"/>): a file holds at most
/// <see cref="RowCap"/> rows, and the next one starts after it.
/// </summary>
internal sealed class ParquetParts<T>(BlobContainerClient container, string folder, ParquetColumns<T> columns) : IAsyncDisposable
{
    /// <summary>Rows per file at most; a partition with more is split.</summary>
    public const int RowCap = 1_000_000;

    private ParquetBlobWriter<T>? _file;
    private int _files;
    private long _rows;
    private long _bytes;

    public async ValueTask AddAsync(T row, CancellationToken cancellationToken)
    {
        _file ??= await OpenAsync(cancellationToken);
        await _file.AddAsync(row, cancellationToken);
        _rows++;
        if (_file.Rows == RowCap)
        {
            await CommitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Commits the last file; what was written. With <paramref name="evenEmpty"/>, no rows still make one file (the schema
    /// alone), so that a dataset without date partitions always has a file for a reader's glob to match.
    /// </summary>
    public async Task<PartsWritten> CompleteAsync(CancellationToken cancellationToken, bool evenEmpty = false)
    {
        if (_file is null && evenEmpty && _files == 0)
        {
            _file = await OpenAsync(cancellationToken);
        }

        if (_file is not null)
        {
            await CommitAsync(cancellationToken);
        }

        return new PartsWritten(_files, _rows, _bytes);
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync();
        }
    }

    private Task<ParquetBlobWriter<T>> OpenAsync(CancellationToken cancellationToken) =>
        ParquetBlobWriter<T>.CreateAsync(container.GetBlockBlobClient(folder + "part-" + _files.ToString("00000", CultureInfo.InvariantCulture) + ".parquet"), columns, cancellationToken);

    private async Task CommitAsync(CancellationToken cancellationToken)
    {
        await using (var file = _file!)
        {
            _file = null;
            _bytes += await file.CommitAsync(cancellationToken);
        }

        _files++;
    }
}

/// <param name="Files">Files committed.</param>
/// <param name="Rows">Rows in them.</param>
/// <param name="Bytes">Their bytes.</param>
internal sealed record PartsWritten(int Files, long Rows, long Bytes);
