using System.Globalization;
using System.Text;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Athos.Webhooks.Exports;

/// <summary>
/// What Parquet.Net writes a file into: bytes collect in memory and go out as staged blocks, asynchronously, when the
/// caller says (<see cref="StageFullBlocksAsync"/>, after each row group); <see cref="CommitAsync"/> makes the blob
/// whole at once. Parquet.Net flushes its stream after every column chunk, synchronously: a flush here does nothing,
/// so that no request is made per column and none blocks a thread.
/// </summary>
internal sealed class BlockBlobSink(BlockBlobClient blob, int blockBytes) : Stream
{
    private readonly MemoryStream _pending = new();
    private readonly List<string> _blocks = [];
    private readonly string _writer = Guid.NewGuid().ToString("N");
    private long _written;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _written;

    /// <summary>Bytes written so far (Parquet.Net reads it for its offsets).</summary>
    public override long Position
    {
        get => _written;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _pending.Write(buffer);
        _written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stages every whole block collected so far.</summary>
    public async Task StageFullBlocksAsync(CancellationToken cancellationToken)
    {
        if (_pending.Length < blockBytes)
        {
            return;
        }

        var bytes = _pending.GetBuffer();
        var length = (int)_pending.Length;
        var staged = 0;
        for (; length - staged >= blockBytes; staged += blockBytes)
        {
            await StageAsync(new MemoryStream(bytes, staged, blockBytes, writable: false), cancellationToken);
        }

        var rest = bytes.AsSpan(staged, length - staged).ToArray();
        _pending.SetLength(0);
        _pending.Write(rest);
    }

    /// <summary>Makes the blob: one upload when it fits in a block (one request), else the last block and the block list.</summary>
    public async Task CommitAsync(BlobHttpHeaders headers, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        await StageFullBlocksAsync(cancellationToken);
        _pending.Position = 0;
        if (_blocks.Count == 0)
        {
            await blob.UploadAsync(_pending, new BlobUploadOptions { HttpHeaders = headers, Conditions = conditions }, cancellationToken);
            return;
        }

        if (_pending.Length > 0)
        {
            await StageAsync(_pending, cancellationToken);
        }

        await blob.CommitBlockListAsync(_blocks, new CommitBlockListOptions { HttpHeaders = headers, Conditions = conditions }, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pending.Dispose();
        }

        base.Dispose(disposing);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private async Task StageAsync(Stream block, CancellationToken cancellationToken)
    {
        // Block ids of one blob must all have the same length; this writer's own prefix keeps another writer of the same
        // blob (a run that lost its lease) from having its blocks committed by this one's list, or the other way round.
        var id = Convert.ToBase64String(Encoding.ASCII.GetBytes(_writer + _blocks.Count.ToString("D6", CultureInfo.InvariantCulture)));
        await blob.StageBlockAsync(id, block, cancellationToken: cancellationToken);
        _blocks.Add(id);
    }
}
