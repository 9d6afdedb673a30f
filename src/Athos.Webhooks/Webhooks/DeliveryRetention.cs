using Athos.Webhooks.Storage;
using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Webhooks;

/// <summary>
/// Deletes the delivery ledger's records last seen longer ago than <see cref="WebhookOptions.DeliveryRetention"/>
/// (<c>ATHOS_WEBHOOK_DELIVERY_RETENTION</c>); run by the daily <see cref="Reconciliation.Housekeeping"/>, beside the
/// change feed's retention.
/// </summary>
internal sealed class DeliveryRetention(TableServiceClient tables, IOptions<WebhookOptions> options)
{
    private readonly TableClient _table = tables.GetTableClient(StorageNames.WebhookDeliveriesTable);

    /// <summary>Deletes the records of deliveries last seen before <paramref name="now"/> − retention; returns how many.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var cutoff = now - options.Value.DeliveryRetention;
        var deleted = 0;
        var filter = TableClient.CreateQueryFilter<DeliveryRecord>(r => r.LastReceivedAt < cutoff);
        await foreach (var record in _table.QueryAsync<KeysRow>(filter, select: KeysRow.Columns, cancellationToken: cancellationToken))
        {
            try
            {
                await _table.DeleteEntityAsync(record.PartitionKey, record.RowKey, ETag.All, cancellationToken);
                deleted++;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Already gone.
            }
        }

        return deleted;
    }
}
