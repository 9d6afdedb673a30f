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
    /// Copies <paramref name="content"/> into the blob block by block, never more than one block in memory. The blob
    /// appears only when its block list is committed, so a failure part-way (too large, a dropped connection) leaves
    /// nothing half-written. Each read of <paramref name="content"/> must deliver within <paramref name="readTimeout"/>.
    /// </summary>
    /// <returns>The bytes written, or <see langword="null"/> when another writer stored the recording first.</returns>
    /// <exception cref="RecordingTooLargeException">The content is longer than <paramref name="maxBytes"/>.</exception>
    public async Task<long?> WriteAsync(string callId, Stream content, string contentType, CallVersion version, long maxBytes, TimeSpan readTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var blob = _container.GetBlockBlobClient(BlobName(callId));
        var buffer = ArrayPool<byte>.Shared.Rent(BlockBytes);
        var blocks = new List<string>();
        long total = 0;
        try
        {
            int filled;
            do
            {
                filled = await FillAsync(content, buffer, readTimeout, cancellationToken);
                total += filled;
                if (total > maxBytes)
                {
                    throw new RecordingTooLargeException(maxBytes);
                }

                if (filled > 0)
                {
                    // Random ids of one length: two writers of the same recording never mix their blocks.
                    var blockId = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
                    using var block = new MemoryStream(buffer, 0, filled, writable: false);
                    await blob.StageBlockAsync(blockId, block, cancellationToken: cancellationToken);
                    blocks.Add(blockId);
                }
            }
            while (filled == BlockBytes);

            await blob.CommitBlockListAsync(
                blocks,
                new CommitBlockListOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
                    Metadata = VersionMetadata.Of(version),
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                },
                cancellationToken);
            return total;
        }
        catch (RequestFailedException ex) when (ex.Status is 400 or 409 or 412)
        {
            // Another writer committed it first (its commit may also have discarded our uncommitted blocks, which is
            // the 400); anything else is a real failure.
            if (await ExistsAsync(callId, cancellationToken))
            {
                return null;
            }

            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Fills the buffer up to BlockBytes; fewer bytes only at the end of the content.
    private static async Task<int> FillAsync(Stream content, byte[] buffer, TimeSpan readTimeout, CancellationToken cancellationToken)
    {
        var filled = 0;
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        while (filled < BlockBytes)
        {
            idle.CancelAfter(readTimeout);
            var read = await content.ReadAsync(buffer.AsMemory(filled, BlockBytes - filled), idle.Token);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }
}

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
