using Athos.Webhooks.Storage;
using Athos.Webhooks.Webhooks;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>Reads the call tables and the archive as a consumer would.</summary>
public sealed class TestTables(string connectionString)
{
    private readonly TableServiceClient _tables = new(connectionString);
    private readonly BlobContainerClient _archive = new(connectionString, StorageNames.RawCallsContainer);

    public async Task<CallRow?> MainAsync(string callId)
    {
        var row = await _tables.GetTableClient(StorageNames.CallsTable).GetEntityIfExistsAsync<CallRow>(callId, string.Empty);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>Every index row of a call, in both index tables.</summary>
    public async Task<(List<CallRow> ByUser, List<CallRow> ByDay)> IndexRowsAsync(string callId) =>
        (await QueryAsync(StorageNames.CallsByUserTable, $"CallId eq '{callId}'"), await QueryAsync(StorageNames.CallsByDayTable, $"CallId eq '{callId}'"));

    public async Task<List<CallRow>> QueryAsync(string table, string filter)
    {
        var rows = new List<CallRow>();
        await foreach (var row in _tables.GetTableClient(table).QueryAsync<CallRow>(filter))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The delivery ledger's rows of webhook ids (not those of signed content).</summary>
    internal async Task<List<DeliveryRecord>> DeliveriesAsync()
    {
        var rows = new List<DeliveryRecord>();
        await foreach (var row in _tables.GetTableClient(StorageNames.WebhookDeliveriesTable).QueryAsync<DeliveryRecord>())
        {
            if (!row.RowKey.StartsWith(SignedContentRow.KeyPrefix, StringComparison.Ordinal))
            {
                rows.Add(row);
            }
        }

        return rows;
    }

    public async Task<int> CountAsync(string table) => (await QueryAsync(table, string.Empty)).Count;

    public async Task<byte[]?> BlobAsync(string callId)
    {
        var blob = _archive.GetBlobClient(CallArchive.BlobName(callId));
        return await blob.ExistsAsync() ? (await blob.DownloadContentAsync()).Value.Content.ToArray() : null;
    }
}
