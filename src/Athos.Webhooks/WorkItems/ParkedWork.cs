using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Azure.Data.Tables;

namespace Athos.Webhooks.WorkItems;

/// <summary>
/// <c>AthosParkedWork</c>: where work items go when they exhausted their attempts, in both hosts alike. Unlike the
/// Functions host's poison queue (whose messages expire after seven days, and cannot be told otherwise), nothing here
/// expires: an item stays until <c>athos-webhooks redrive</c> puts it back.
/// </summary>
internal sealed class ParkedWork(TableServiceClient tables, TimeProvider time, AthosMetrics metrics)
{
    private readonly TableClient _table = tables.GetTableClient(StorageNames.ParkedWorkTable);

    /// <summary>
    /// Parks a message, idempotent per message id. <paramref name="item"/> is null when the body is not a work item;
    /// <paramref name="athos"/> keeps Athos's status, code and request id when the last attempt failed there.
    /// </summary>
    public async Task ParkAsync(BinaryData body, WorkItem? item, string messageId, long dequeueCount, string reason, string error, AthosApiException? athos, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var parked = new ParkedItem
        {
            RowKey = messageId,
            Body = Convert.ToBase64String(body.ToMemory().Span),
            Kind = item is null ? null : WorkItem.KindOf(item),
            CallId = (item as CallWorkItem)?.CallId.Value,
            Origin = item?.Origin.ToStorageName(),
            WebhookId = item?.WebhookId,
            Reason = reason,
            Error = error.Length > 2000 ? error[..2000] : error,
            AthosStatus = athos?.Status,
            AthosErrorCode = athos?.ErrorCode,
            AthosRequestId = athos?.RequestId,
            DequeueCount = dequeueCount,
            ParkedAt = time.GetUtcNow(),
        };
        await _table.UpsertEntityAsync(parked, TableUpdateMode.Replace, cancellationToken);
        metrics.ItemParked(reason);
    }

    /// <summary>How many items are parked, counting up to <paramref name="atMost"/> (one request per 1,000 rows).</summary>
    public async Task<int> CountAsync(int atMost, CancellationToken cancellationToken = default)
    {
        var count = 0;
        await foreach (var _ in _table.QueryAsync<KeysRow>(i => i.PartitionKey == ParkedItem.Partition, maxPerPage: Math.Min(atMost, 1000), select: [nameof(KeysRow.RowKey)], cancellationToken: cancellationToken))
        {
            if (++count >= atMost)
            {
                break;
            }
        }

        return count;
    }

    public async Task<List<ParkedItem>> ListAsync(CancellationToken cancellationToken = default)
    {
        var items = new List<ParkedItem>();
        await foreach (var item in _table.QueryAsync<ParkedItem>(i => i.PartitionKey == ParkedItem.Partition, cancellationToken: cancellationToken))
        {
            items.Add(item);
        }

        return [.. items.OrderBy(i => i.ParkedAt)];
    }

    public async Task RemoveAsync(ParkedItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        await _table.DeleteEntityAsync(item.PartitionKey, item.RowKey, Azure.ETag.All, cancellationToken);
    }
}
