using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Athos.Webhooks.Storage;

/// <summary>
/// Blob container <c>athos-calls</c>: <c>{callId}.json</c>, the detail as Athos returned it. Writes only move
/// forward: the blob's metadata carries its version, and an older version never replaces a newer one.
/// </summary>
internal sealed class CallArchive(BlobServiceClient blobs)
{
    private const int MaxAttempts = 5;

    private readonly BlobContainerClient _container = blobs.GetBlobContainerClient(StorageNames.RawCallsContainer);

    public static string BlobName(string callId) => callId + ".json";

    /// <summary>
    /// Stores <paramref name="json"/> unless the blob already holds <paramref name="version"/> or a newer one.
    /// <paramref name="probablyExists"/> picks the cheaper first request.
    /// </summary>
    public async Task WriteAsync(string callId, BinaryData json, CallVersion version, bool probablyExists, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(BlobName(callId));
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            Metadata = VersionMetadata.Of(version),
        };

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (attempt == 0 && !probablyExists)
            {
                // Usually the first write of this call: create it only if it is still absent.
                options.Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All };
            }
            else
            {
                var existing = await GetVersionAsync(blob, cancellationToken);
                if (existing is { } stored && stored.Version.CompareTo(version) >= 0)
                {
                    return;
                }

                options.Conditions = existing is { } current
                    ? new BlobRequestConditions { IfMatch = current.ETag }
                    : new BlobRequestConditions { IfNoneMatch = ETag.All };
            }

            if (await TryUploadAsync(blob, json, options, cancellationToken))
            {
                return;
            }
        }

        throw new StorageConflictException($"The archive blob of {callId} kept changing under {MaxAttempts} attempts to write it.");
    }

    private static async Task<bool> TryUploadAsync(BlobClient blob, BinaryData json, BlobUploadOptions options, CancellationToken cancellationToken)
    {
        try
        {
            await blob.UploadAsync(json, options, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Someone wrote it first; compare versions and try again.
            return false;
        }
    }

    private static async Task<(CallVersion Version, ETag ETag)?> GetVersionAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            return (VersionMetadata.Read(properties.Metadata), properties.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }
}
