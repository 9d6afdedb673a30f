using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Athos.Webhooks.Exports;

/// <summary>
/// A dataset's version folders (<c>{dataset}/v={version}/</c>) and their removal once nobody can be reading them: a
/// version never published (a rebuild that stopped before its pointer) as soon as a later one is, a replaced version
/// once the grace period has passed since the version after it was complete.
/// </summary>
internal static class ExportVersions
{
    public static string Folder(string dataset, string version) => $"{dataset}/v={version}/";

    /// <summary>
    /// Called right after <paramref name="published"/> became the live version of <paramref name="dataset"/> in place of
    /// <paramref name="previous"/>; removes what is no longer read. Versions newer than <paramref name="published"/> are
    /// another rebuild's and are left alone. Returns the versions and files removed.
    /// </summary>
    public static async Task<(int Versions, int Files)> RemoveAsync(BlobContainerClient container, string dataset, string? previous, string published, DateTimeOffset now, TimeSpan grace, CancellationToken cancellationToken)
    {
        var prefix = dataset + "/v=";
        var versions = new SortedDictionary<string, (List<string> Blobs, DateTimeOffset Complete)>(StringComparer.Ordinal);
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken))
        {
            var slash = blob.Name.IndexOf('/', prefix.Length);
            if (slash < 0)
            {
                continue;
            }

            var version = blob.Name[prefix.Length..slash];
            var modified = blob.Properties.LastModified ?? now;
            var (blobs, complete) = versions.TryGetValue(version, out var known) ? known : ([], DateTimeOffset.MinValue);
            blobs.Add(blob.Name);
            versions[version] = (blobs, modified > complete ? modified : complete);
        }

        // Walking down from the published version: the one before it was replaced just now; each earlier one when the next
        // one's last file was written (its pointer followed within moments).
        var replacedAt = now;
        var (removedVersions, removedFiles) = (0, 0);
        foreach (var (version, (blobs, complete)) in versions.Reverse().Where(v => string.CompareOrdinal(v.Key, published) < 0))
        {
            var neverPublished = previous is null || string.CompareOrdinal(version, previous) > 0;
            if (neverPublished || replacedAt + grace <= now)
            {
                foreach (var blob in blobs)
                {
                    // With its snapshots: a blob that has any cannot be deleted alone.
                    await container.DeleteBlobIfExistsAsync(blob, DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
                }

                removedVersions++;
                removedFiles += blobs.Count;
            }

            if (!neverPublished)
            {
                replacedAt = complete;
            }
        }

        return (removedVersions, removedFiles);
    }
}
