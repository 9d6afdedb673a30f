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
    /// How much of the recording earlier attempts staged, from its start: the uncommitted blocks found in order, each at
    /// the offset its id names. Nothing when none is staged (or the recording is committed already).
    /// </summary>
    public async Task<StagedRecording> StagedAsync(string callId, CancellationToken cancellationToken)
    {
        BlockList list;
        try
        {
            list = (await _container.GetBlockBlobClient(BlobName(callId)).GetBlockListAsync(BlockListTypes.Uncommitted, cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return StagedRecording.Nothing;
        }

        var sizes = list.UncommittedBlocks.ToDictionary(b => b.Name, b => b.SizeLong, StringComparer.Ordinal);
        var blocks = new List<string>();
        long length = 0;
        while (sizes.TryGetValue(BlockId(length), out var size) && size > 0)
        {
            blocks.Add(BlockId(length));
            length += size;
        }

        return new StagedRecording(length, blocks);
    }

    /// <summary>
    /// Copies <paramref name="content"/>, the recording from byte <c>staged.Length</c> on, into the blob block by block,
    /// never more than one block in memory, after the blocks already <paramref name="staged"/>. When
    /// <paramref name="stop"/> fires (the attempt's time is up) the bytes in hand are staged and the copy returns
    /// unfinished, for a later attempt to resume; at the end of the content the block list is committed, and only then
    /// does the blob appear, so nothing is ever half-written. Each read must deliver within <paramref name="readTimeout"/>.
    /// </summary>
    /// <returns>How far the copy got, and whether it committed the recording.</returns>
    /// <exception cref="RecordingTooLargeException">The content is longer than <paramref name="maxBytes"/> in all.</exception>
    public async Task<RecordingProgress> WriteAsync(string callId, Stream content, StagedRecording staged, string contentType, CallVersion version, long maxBytes, TimeSpan readTimeout, CancellationToken stop, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var blob = _container.GetBlockBlobClient(BlobName(callId));
        var buffer = ArrayPool<byte>.Shared.Rent(BlockBytes);
        var blocks = new List<string>(staged.Blocks);
        var total = staged.Length;
        try
        {
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
                    // Ids name the block's offset, so a later attempt finds where to resume; two writers of one recording
                    // stage the same bytes under the same id.
                    var blockId = BlockId(total);
                    using var block = new MemoryStream(buffer, 0, filled, writable: false);
                    await blob.StageBlockAsync(blockId, block, cancellationToken: cancellationToken);
                    blocks.Add(blockId);
                    total += filled;
                }
            }
            while (filled == BlockBytes && !stopped);

            if (stopped)
            {
                return new RecordingProgress(total, total - staged.Length, Committed: false);
            }

            await blob.CommitBlockListAsync(
                blocks,
                new CommitBlockListOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
                    Metadata = VersionMetadata.Of(version),
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                },
                cancellationToken);
            return new RecordingProgress(total, total - staged.Length, Committed: true);
        }
        catch (RequestFailedException ex) when (ex.Status is 400 or 409 or 412)
        {
            // Another writer committed it first (its commit may also have discarded our uncommitted blocks, which is
            // the 400); anything else is a real failure.
            if (await ExistsAsync(callId, cancellationToken))
            {
                return new RecordingProgress(total, total - staged.Length, Committed: true);
            }

            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A block's id: its offset in the recording, all ids of one length as the service requires.</summary>
    private static string BlockId(long offset) =>
        Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(offset.ToString("D16", System.Globalization.CultureInfo.InvariantCulture)));

    // Fills the buffer up to BlockBytes; fewer bytes at the end of the content, or when stop fires (then Stopped).
    private static async Task<(int Filled, bool Stopped)> FillAsync(Stream content, byte[] buffer, TimeSpan readTimeout, CancellationToken stop, CancellationToken cancellationToken)
    {
        var filled = 0;
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop);
        while (filled < BlockBytes)
        {
            idle.CancelAfter(readTimeout);
            int read;
            try
            {
                read = await content.ReadAsync(buffer.AsMemory(filled, BlockBytes - filled), idle.Token);
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

/// <summary>What earlier attempts staged of a recording: its first <see cref="Length"/> bytes, as these blocks in order.</summary>
internal sealed record StagedRecording(long Length, IReadOnlyList<string> Blocks)
{
    public static StagedRecording Nothing { get; } = new(0, []);
}

/// <summary>How far a copy got: the bytes staged in all, those this attempt added, and whether the recording is committed.</summary>
internal readonly record struct RecordingProgress(long Length, long Added, bool Committed);

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
