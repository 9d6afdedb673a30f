using Athos.Webhooks.Storage;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Athos.Webhooks.Erasure;

/// <summary>
/// Deletes a call's blobs, its archive blob and its recording, with every version: for <c>forget</c>, and for a writer
/// that put them before it met the call's tombstone.
/// </summary>
/// <remarks>
/// Soft-deleted copies cannot be purged early through the SDK; they are reported, and the account's soft-delete
/// retention removes them (<see cref="BlobHistory"/>).
/// </remarks>
internal sealed class CallBlobEraser(BlobServiceClient blobs)
{
    /// <summary>The blobs of a call: container and blob name.</summary>
    internal static IReadOnlyList<(string Container, string Blob)> CallBlobs(string callId) =>
        [(StorageNames.RawCallsContainer, CallArchive.BlobName(callId)), (StorageNames.RecordingsContainer, RecordingArchive.BlobName(callId))];

    /// <summary>Deletes every blob of <paramref name="callId"/>, adding what it removed and what only time removes.</summary>
    public async Task EraseAsync(string callId, List<string> removed, List<string> remaining, CancellationToken cancellationToken)
    {
        foreach (var (container, blob) in CallBlobs(callId))
        {
            await EraseBlobAsync(blobs.GetBlobContainerClient(container), blob, removed, remaining, cancellationToken);
        }
    }

    /// <summary>
    /// Uncommitted blocks (a recording copied part-way; the archive blob is written whole) are not a blob a delete reaches: committing an empty list over
    /// them discards them, leaving an empty blob for the delete. Whether there were any.
    /// </summary>
    private static async Task<bool> DiscardStagedAsync(BlockBlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            var staged = (await blob.GetBlockListAsync(BlockListTypes.Uncommitted, cancellationToken: cancellationToken)).Value;
            if (!staged.UncommittedBlocks.Any())
            {
                return false;
            }

            await blob.CommitBlockListAsync([], cancellationToken: cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    private static async Task EraseBlobAsync(BlobContainerClient container, string name, List<string> removed, List<string> remaining, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(name);
        if (container.Name == StorageNames.RecordingsContainer && await DiscardStagedAsync(container.GetBlockBlobClient(name), cancellationToken))
        {
            removed.Add($"{container.Name}: staged blocks of {name}");
        }

        if ((await blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken)).Value)
        {
            removed.Add($"{container.Name}: blob {name}");
        }

        // With versioning on, the delete above made the current version a previous one: every version goes.
        var history = await BlobHistory.DeleteAsync(container, name, cancellationToken);
        removed.AddRange(history.Removed.Select(item => $"{container.Name}: {item}"));
        if (history.SoftDeleted > 0)
        {
            remaining.Add($"{container.Name}: {history.SoftDeleted} soft-deleted cop{(history.SoftDeleted == 1 ? "y" : "ies")} of {name}, readable only after an undelete, purged when the account's soft-delete retention ends");
        }

        if (history.Refused > 0)
        {
            remaining.Add($"{container.Name}: {history.Refused} previous version(s) or snapshot(s) of {name} that storage refused to delete (403: the identity needs a role with deleteBlobVersion, such as Storage Blob Data Owner)");
        }
    }
}
