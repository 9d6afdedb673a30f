using System.Buffers;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Athos.Webhooks.Storage;

/// <summary>
/// Blob container <c>athos-recordings</c>: <c>{callId}.ogg</c>, each call's recording as Athos served it, kept after
/// Athos deletes its own copy (30 days). A recording is written once and never replaced.
/// </summary>
internal sealed class RecordingArchive(BlobServiceClient blobs)
{
    /// <summary>One staged block: the most of a recording held in memory at once.</summary>
    public const int BlockBytes = 2 * 1024 * 1024;

    private readonly BlobContainerClient _container = blobs.GetBlobContainerClient(StorageNames.RecordingsContainer);

    public static string BlobName(string callId) => callId + ".ogg";

    public async Task<bool> ExistsAsync(string callId, CancellationToken cancellationToken) =>
        (await _container.GetBlobClient(BlobName(callId)).ExistsAsync(cancellationToken)).Value;

    /// <summary>
    /// The blocks earlier attempts staged of the recording (uncommitted), each named by its offset, its size and the
    /// recording's length as the host gave it: nothing when none is staged (or the recording is committed already).
    /// </summary>
    public async Task<StagedBlocks> StagedAsync(string callId, CancellationToken cancellationToken)
    {
        try
        {
            var blob = _container.GetBlockBlobClient(BlobName(callId));
            var list = (await blob.GetBlockListAsync(BlockListTypes.Uncommitted, cancellationToken: cancellationToken)).Value;
            var blocks = list.UncommittedBlocks.Select(b => StagedBlock.Parse(b.Name)).ToList();
            if (blocks.Contains(null))
            {
                // Blocks of an earlier scheme, whose ids have another length (the service refuses to mix them): an empty
                // commit discards them, and its empty blob goes at once.
                await blob.CommitBlockListAsync([], new CommitBlockListOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
                await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken);
                return StagedBlocks.None;
            }

            return new StagedBlocks([.. blocks.OfType<StagedBlock>()]);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            // None staged, or committed meanwhile by another copy.
            return StagedBlocks.None;
        }
    }

    /// <summary>
    /// Copies <paramref name="content"/> into the blob block by block, never more than one block in memory, after the
    /// blocks already <paramref name="staged"/>: the content starts <paramref name="skip"/> bytes before the end of those
    /// (a host that ignored the range sends them again; they are read and dropped). When <paramref name="stop"/> fires
    /// (the attempt's time is up) the bytes in hand are staged and the copy returns unfinished, for a later attempt to
    /// resume; at the end of the content the block list is committed, and only then does the blob appear, so nothing is
    /// ever half-written. <paramref name="length"/> is the recording's length as the host gave it (null: not given): a
    /// copy that ends at another length is not committed. Each read must deliver within <paramref name="readTimeout"/>.
    /// </summary>
    /// <returns>How far the copy got, and whether the recording is committed (by this copy or another).</returns>
    /// <exception cref="RecordingTooLargeException">The content is longer than <paramref name="maxBytes"/> in all.</exception>
    /// <exception cref="IOException">The content ended at another length than the host said.</exception>
    public async Task<RecordingProgress> WriteAsync(string callId, Stream content, StagedRecording staged, long skip, long? length, string contentType, CallVersion version, long maxBytes, TimeSpan readTimeout, CancellationToken stop, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(staged);
        var blob = _container.GetBlockBlobClient(BlobName(callId));
        var buffer = ArrayPool<byte>.Shared.Rent(BlockBytes);
        var blocks = new List<string>(staged.Blocks);
        var total = staged.Length;
        try
        {
            if (skip > 0 && await SkipAsync(content, buffer, skip, readTimeout, stop, cancellationToken))
            {
                return new RecordingProgress(total, Committed: false);
            }

            int filled;
            bool stopped;
            do
            {
                (filled, stopped) = await FillAsync(content, buffer, readTimeout, stop, cancellationToken);
                if (total + filled > maxBytes)
                {
                    throw new RecordingTooLargeException(maxBytes);
                }

                if (filled > 0)
                {
                    // Ids name what the block holds (offset, size, the recording's length), so a later attempt finds where
                    // to resume, and two writers of one recording never replace each other's blocks with other bytes.
                    var blockId = new StagedBlock(total, filled, length ?? 0).Id;
                    using var block = new MemoryStream(buffer, 0, filled, writable: false);
                    await blob.StageBlockAsync(blockId, block, cancellationToken: cancellationToken);
                    blocks.Add(blockId);
                    total += filled;
                }
            }
            while (filled == BlockBytes && !stopped);

            if (stopped)
            {
                return new RecordingProgress(total, Committed: false);
            }

            if (length is { } expected && total != expected)
            {
                throw new IOException($"The recording ended at {total} bytes; its host said {expected}.");
            }

            return await CommitAsync(callId, blocks, total, contentType, version, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Commits blocks staged earlier that already hold the whole recording (an attempt stopped just after its last byte).</summary>
    public Task<RecordingProgress> CommitAsync(string callId, StagedRecording staged, string contentType, CallVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(staged);
        return CommitAsync(callId, staged.Blocks, staged.Length, contentType, version, cancellationToken);
    }

    private async Task<RecordingProgress> CommitAsync(string callId, IEnumerable<string> blocks, long total, string contentType, CallVersion version, CancellationToken cancellationToken)
    {
        try
        {
            await _container.GetBlockBlobClient(BlobName(callId)).CommitBlockListAsync(
                blocks,
                new CommitBlockListOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
                    Metadata = VersionMetadata.Of(version),
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                },
                cancellationToken);
            return new RecordingProgress(total, Committed: true);
        }
        catch (RequestFailedException ex) when (ex.Status is 400 or 409 or 412)
        {
            // Another writer committed it first (its commit may also have discarded our uncommitted blocks, which is
            // the 400); anything else is a real failure.
            if (await ExistsAsync(callId, cancellationToken))
            {
                return new RecordingProgress(total, Committed: true);
            }

            throw;
        }
    }

    // Reads and drops the first bytes of the content (staged already); true when stop fired first.
    private static async Task<bool> SkipAsync(Stream content, byte[] buffer, long skip, TimeSpan readTimeout, CancellationToken stop, CancellationToken cancellationToken)
    {
        while (skip > 0)
        {
            var (filled, stopped) = await FillAsync(content, buffer.AsMemory(0, (int)Math.Min(BlockBytes, skip)), readTimeout, stop, cancellationToken);
            skip -= filled;
            if (stopped)
            {
                return true;
            }

            if (filled == 0)
            {
                throw new IOException("The recording ended before the bytes staged earlier.");
            }
        }

        return false;
    }

    // Fills the buffer up to its length (BlockBytes); fewer bytes at the end of the content, or when stop fires (then Stopped).
    private static Task<(int Filled, bool Stopped)> FillAsync(Stream content, byte[] buffer, TimeSpan readTimeout, CancellationToken stop, CancellationToken cancellationToken) =>
        FillAsync(content, buffer.AsMemory(0, BlockBytes), readTimeout, stop, cancellationToken);

    private static async Task<(int Filled, bool Stopped)> FillAsync(Stream content, Memory<byte> buffer, TimeSpan readTimeout, CancellationToken stop, CancellationToken cancellationToken)
    {
        var filled = 0;
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop);
        while (filled < buffer.Length)
        {
            idle.CancelAfter(readTimeout);
            int read;
            try
            {
                read = await content.ReadAsync(buffer[filled..], idle.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return (filled, true);
            }

            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return (filled, false);
    }
}

/// <summary>What earlier attempts staged of a recording: its first <see cref="Length"/> bytes, as these blocks in order, of a recording <see cref="Total"/> bytes long (0: not known).</summary>
internal sealed record StagedRecording(long Length, IReadOnlyList<string> Blocks, long Total)
{
    public static StagedRecording Nothing { get; } = new(0, [], 0);
}

/// <summary>A staged block: where it starts in the recording, how many bytes it holds, and the recording's length as its host gave it (0: not given).</summary>
internal readonly record struct StagedBlock(long Offset, int Size, long Total)
{
    /// <summary>Its block id (every id of a blob has one length: 40 ASCII digits, base64-encoded).</summary>
    public string Id => Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Offset:D16}{Size:D8}{Total:D16}")));

    /// <summary>The block an id names, or null for an id this scheme did not write.</summary>
    public static StagedBlock? Parse(string id)
    {
        Span<byte> bytes = stackalloc byte[64];
        if (!Convert.TryFromBase64String(id, bytes, out var written) || written != 40)
        {
            return null;
        }

        var text = System.Text.Encoding.ASCII.GetString(bytes[..written]);
        var style = System.Globalization.NumberStyles.None;
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        return long.TryParse(text.AsSpan(0, 16), style, culture, out var offset) && int.TryParse(text.AsSpan(16, 8), style, culture, out var size)
            && long.TryParse(text.AsSpan(24, 16), style, culture, out var total) && size > 0
            ? new StagedBlock(offset, size, total)
            : null;
    }
}

/// <summary>The blocks staged of a recording, from which a copy resumes.</summary>
internal sealed record StagedBlocks(IReadOnlyList<StagedBlock> Blocks)
{
    public static StagedBlocks None { get; } = new([]);

    /// <summary>The longest run of blocks from the first byte, of a recording <paramref name="total"/> bytes long.</summary>
    public StagedRecording Prefix(long total)
    {
        var ids = new List<string>();
        long length = 0;
        while (Blocks.Where(b => b.Total == total && b.Offset == length).OrderByDescending(b => b.Size).FirstOrDefault() is { Size: > 0 } next)
        {
            ids.Add(next.Id);
            length += next.Size;
        }

        return new StagedRecording(length, ids, total);
    }

    /// <summary>The longest prefix staged, whatever length the host gave: where the next request resumes.</summary>
    public StagedRecording Longest() =>
        Blocks.Select(b => b.Total).Distinct().Select(Prefix).MaxBy(p => p.Length) ?? StagedRecording.Nothing;
}

/// <summary>How far a copy got: the bytes staged in all, and whether the recording is committed.</summary>
internal readonly record struct RecordingProgress(long Length, bool Committed);

/// <summary>A recording is longer than <c>ATHOS_RECORDING_MAX_BYTES</c>; nothing of it was stored.</summary>
internal sealed class RecordingTooLargeException : Exception
{
    public RecordingTooLargeException()
    {
    }

    public RecordingTooLargeException(long maxBytes)
        : base($"The recording is larger than {maxBytes} bytes (ATHOS_RECORDING_MAX_BYTES).")
    {
        MaxBytes = maxBytes;
    }

    public RecordingTooLargeException(string message)
        : base(message)
    {
    }

    public RecordingTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public long MaxBytes { get; }
}
