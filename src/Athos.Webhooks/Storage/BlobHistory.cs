using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Athos.Webhooks.Storage;

/// <summary>
/// What an overwrite or a delete leaves of a blob: its previous versions (versioning on), its snapshots, and
/// soft-deleted copies (soft delete on). Erasure deletes the first two; soft-deleted copies cannot be purged early
/// through the SDK, so they are counted, and the account's soft-delete retention removes them.
/// </summary>
internal static class BlobHistory
{
    /// <summary>Deletes the previous versions and the snapshots of the blob <paramref name="name"/>; its current version stays.</summary>
    public static Task<BlobHistoryRemoval> DeleteAsync(BlobContainerClient container, string name, CancellationToken cancellationToken) =>
        DeleteAsync(container, name, found => found == name, cancellationToken);

    /// <summary>Deletes the previous versions and the snapshots of every blob whose name starts with <paramref name="prefix"/>.</summary>
    public static Task<BlobHistoryRemoval> DeleteUnderAsync(BlobContainerClient container, string prefix, CancellationToken cancellationToken) =>
        DeleteAsync(container, prefix, static _ => true, cancellationToken);

    private static async Task<BlobHistoryRemoval> DeleteAsync(BlobContainerClient container, string prefix, Func<string, bool> isOf, CancellationToken cancellationToken)
    {
        var history = new List<BlobItem>();
        var softDeleted = 0;
        try
        {
            // One listing: the blobs as they are, with their versions, snapshots and soft-deleted copies.
            await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.Version | BlobStates.Snapshots | BlobStates.Deleted, prefix, cancellationToken))
            {
                if (!isOf(item.Name))
                {
                    continue;
                }

                if (item.Deleted)
                {
                    softDeleted++;
                }
                else if (item.Snapshot is not null || (item.VersionId is not null && item.IsLatestVersion != true))
                {
                    history.Add(item);
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status is 400 or 403 or 501)
        {
            // This account (or the emulator) cannot list versions or deleted blobs, so it keeps none.
            return new BlobHistoryRemoval([], 0);
        }

        var (removed, refused) = (new List<string>(), 0);
        foreach (var item in history)
        {
            var (client, what) = item.Snapshot is { } snapshot
                ? (container.GetBlobClient(item.Name).WithSnapshot(snapshot), $"snapshot {snapshot} of {item.Name}")
                : (container.GetBlobClient(item.Name).WithVersion(item.VersionId), $"version {item.VersionId} of {item.Name}");
            try
            {
                if ((await client.DeleteIfExistsAsync(cancellationToken: cancellationToken)).Value)
                {
                    removed.Add(what);
                }
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == "AuthorizationPermissionMismatch")
            {
                // The identity may not delete versions (a role without deleteBlobVersion): counted and reported as kept,
                // not hidden, and the rest still goes.
                refused++;
            }
        }

        return new BlobHistoryRemoval(removed, softDeleted) { Refused = refused };
    }
}

/// <param name="Removed">Each version or snapshot deleted, named.</param>
/// <param name="SoftDeleted">Soft-deleted copies left for the account's soft-delete retention to remove.</param>
internal sealed record BlobHistoryRemoval(IReadOnlyList<string> Removed, int SoftDeleted)
{
    /// <summary>Versions or snapshots storage refused to delete (403): they still hold what they held.</summary>
    public int Refused { get; init; }
}
