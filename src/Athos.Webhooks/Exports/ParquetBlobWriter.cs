using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Parquet;

namespace Athos.Webhooks.Exports;

/// <summary>
/// One Parquet file of <c>athos-exports</c>, written a row group at a time and streamed into a block blob: after each
/// row group the writer's bytes go out as staged blocks, and the block list is committed when the file is complete. So
/// a file appears whole (or, replacing one, at once), and neither its rows nor its bytes are ever held entire: a row
/// group of rows, and less than a block and a row group of bytes.
/// </summary>
internal sealed class ParquetBlobWriter<T> : IAsyncDisposable
{
    /// <summary>Rows per row group: what a reader holds per column chunk, and what the writer holds of a file's rows.</summary>
    public const int RowGroupRows = 10_000;

    // A staged block; large enough that a day's file is a few requests (one Put Blob when it fits).
    private const int BlockBytes = 4 * 1024 * 1024;

    /// <summary>Parquet's media type (IANA, 2024).</summary>
    private const string ContentType = "application/vnd.apache.parquet";

    private readonly ParquetColumns<T> _columns;
    private readonly BlockBlobSink _sink;
    private readonly ParquetWriter _writer;
    private readonly List<T> _group = [];
    private bool _closed;

    private ParquetBlobWriter(ParquetColumns<T> columns, BlockBlobSink sink, ParquetWriter writer) => (_columns, _sink, _writer) = (columns, sink, writer);

    /// <summary>Rows added so far.</summary>
    public long Rows { get; private set; }

    public static async Task<ParquetBlobWriter<T>> CreateAsync(BlockBlobClient blob, ParquetColumns<T> columns, CancellationToken cancellationToken)
    {
        var sink = new BlockBlobSink(blob, BlockBytes);
        try
        {
            return new(columns, sink, await ParquetWriter.CreateAsync(columns.Schema, sink, cancellationToken: cancellationToken));
        }
        catch
        {
            await sink.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes <paramref name="rows"/> as the one file <paramref name="blob"/>, replacing any; returns its size.</summary>
    /// <param name="conditions">What the blob must be for the commit to take it (null: anything).</param>
    public static async Task<long> WriteAsync(BlockBlobClient blob, ParquetColumns<T> columns, IEnumerable<T> rows, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        await using var file = await CreateAsync(blob, columns, cancellationToken);
        foreach (var row in rows)
        {
            await file.AddAsync(row, cancellationToken);
        }

        return await file.CommitAsync(cancellationToken, conditions);
    }

    public async ValueTask AddAsync(T row, CancellationToken cancellationToken)
    {
        _group.Add(row);
        Rows++;
        if (_group.Count == RowGroupRows)
        {
            await WriteGroupAsync(cancellationToken);
        }
    }

    /// <summary>Completes the file (its last row group, its footer) and makes the blob; returns its size.</summary>
    public async Task<long> CommitAsync(CancellationToken cancellationToken, BlobRequestConditions? conditions = null)
    {
        if (_group.Count > 0)
        {
            await WriteGroupAsync(cancellationToken);
        }

        _closed = true;
        await _writer.DisposeAsync();
        // Until here the blob does not exist (or holds what it held): it appears whole.
        await _sink.CommitAsync(new BlobHttpHeaders { ContentType = ContentType }, conditions, cancellationToken);
        return _sink.Position;
    }

    /// <summary>A file not committed is dropped: its staged blocks are never committed, and the service discards them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_closed)
        {
            _closed = true;
            try
            {
                await _writer.DisposeAsync();
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
                // A file abandoned mid-row-group: its footer cannot be written, and nobody reads it.
            }
        }

        await _sink.DisposeAsync();
    }

    private async Task WriteGroupAsync(CancellationToken cancellationToken)
    {
        await _columns.WriteRowGroupAsync(_writer, _group, cancellationToken);
        _group.Clear();
        await _sink.StageFullBlocksAsync(cancellationToken);
    }
}
