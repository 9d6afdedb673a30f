using Athos.Webhooks.AthosApi;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Athos.Webhooks.Storage;

/// <summary>What <see cref="CallEraser.EraseAsync"/> removed, and what only time removes (soft-deleted copies).</summary>
internal sealed record ErasureReport(IReadOnlyList<string> Removed, IReadOnlyList<string> Remaining);

/// <summary>
/// Removes one call from storage everywhere it is kept (<c>athos-webhooks forget</c>): its rows in the call tables,
/// its change-feed rows, its archive blob and recording with their versions, and its delivery-ledger rows. Re-running it
/// is harmless.
/// </summary>
/// <remarks>
/// Index rows are found twice: at the keys the main row gives, and by a <c>CallId eq</c> query (a scan), so that a row
/// orphaned by a crash or written under an older key scheme is found too. Soft-deleted copies of the blobs cannot be
/// purged early through the SDK; they are reported, and the account's soft-delete retention removes them.
/// </remarks>
internal sealed class CallEraser(TableServiceClient tables, BlobServiceClient blobs)
{
    /// <summary>Tables holding rows of a call, each with a <c>CallId</c> column; a new per-call table is one line here.</summary>
    public static IReadOnlyList<string> CallTables { get; } = [StorageNames.CallsTable, StorageNames.CallsByUserTable, StorageNames.CallsByDayTable, StorageNames.CallChangesTable];

    /// <summary>The blobs of a call: container and blob name.</summary>
    internal static IReadOnlyList<(string Container, string Blob)> CallBlobs(string callId) =>
        [(StorageNames.RawCallsContainer, callId + ".json"), (StorageNames.RecordingsContainer, callId + ".ogg")];

    public async Task<ErasureReport> EraseAsync(CallId callId, CancellationToken cancellationToken = default)
    {
        var id = callId.Value;
        var removed = new List<string>();
        var remaining = new List<string>();

        var main = await tables.GetTableClient(StorageNames.CallsTable).GetEntityIfExistsAsync<CallRow>(id, string.Empty, cancellationToken: cancellationToken);
        var known = KeysOf(id, main.HasValue ? main.Value : null);

        // Index rows first, the main row last: an interrupted run leaves the main row, and a re-run finds everything.
        foreach (var table in CallTables.Reverse().Append(StorageNames.WebhookDeliveriesTable))
        {
            var client = tables.GetTableClient(table);
            var keys = known.Where(k => k.Table == table).Select(k => (k.PartitionKey, k.RowKey)).ToHashSet();
            await foreach (var row in client.QueryAsync<KeysRow>(TableClient.CreateQueryFilter($"CallId eq {id}"), select: KeysRow.Columns, cancellationToken: cancellationToken))
            {
                keys.Add((row.PartitionKey, row.RowKey));
            }

            foreach (var (partitionKey, rowKey) in keys)
            {
                if (await DeleteRowAsync(client, partitionKey, rowKey, cancellationToken))
                {
                    removed.Add(rowKey.Length == 0 ? $"{table}: row {partitionKey}" : $"{table}: row {partitionKey} / {rowKey}");
                }
            }
        }

        foreach (var (container, blob) in CallBlobs(id))
        {
            await EraseBlobAsync(blobs.GetBlobContainerClient(container), blob, removed, remaining, cancellationToken);
        }

        return new ErasureReport(removed, remaining);
    }

    private static List<(string Table, string PartitionKey, string RowKey)> KeysOf(string callId, CallRow? main)
    {
        var keys = new List<(string, string, string)> { (StorageNames.CallsTable, callId, string.Empty) };
        if (main?.IndexTime is { } time)
        {
            var rowKey = TableKeys.NewestFirstRowKey(time, callId);
            if (TableKeys.UserPartition(main.RepId) is { } user)
            {
                keys.Add((StorageNames.CallsByUserTable, user, rowKey));
            }

            keys.Add((StorageNames.CallsByDayTable, TableKeys.Day(time), rowKey));
        }

        return keys;
    }

    private static async Task<bool> DeleteRowAsync(TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            var response = await table.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken);
            return response.Status != 404;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    private static async Task EraseBlobAsync(BlobContainerClient container, string name, List<string> removed, List<string> remaining, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(name);
        if ((await blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken)).Value)
        {
            removed.Add($"{container.Name}: blob {name}");
        }

        try
        {
            // With versioning on, the delete above made the current version a previous one: delete every version.
            foreach (var version in await ListAsync(container, name, BlobStates.Version, item => !item.Deleted && item.VersionId is not null, cancellationToken))
            {
                if ((await blob.WithVersion(version.VersionId).DeleteIfExistsAsync(cancellationToken: cancellationToken)).Value)
                {
                    removed.Add($"{container.Name}: version {version.VersionId} of {name}");
                }
            }

            var softDeleted = (await ListAsync(container, name, BlobStates.Version | BlobStates.Deleted, item => item.Deleted, cancellationToken)).Count;
            if (softDeleted > 0)
            {
                remaining.Add($"{container.Name}: {softDeleted} soft-deleted cop{(softDeleted == 1 ? "y" : "ies")} of {name}, readable only after an undelete, purged when the account's soft-delete retention ends");
            }
        }
        catch (RequestFailedException ex) when (ex.Status is 400 or 403 or 501)
        {
            // This account (or the emulator) cannot list versions or deleted blobs, so it keeps none.
        }
    }

    private static async Task<List<BlobItem>> ListAsync(BlobContainerClient container, string name, BlobStates states, Func<BlobItem, bool> predicate, CancellationToken cancellationToken)
    {
        var found = new List<BlobItem>();
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, states, name, cancellationToken))
        {
            if (item.Name == name && predicate(item))
            {
                found.Add(item);
            }
        }

        return found;
    }
}
