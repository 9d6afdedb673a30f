using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Webhooks;

/// <summary>What <see cref="DeliveryLedger.ClaimAsync"/> found.</summary>
internal enum DeliveryClaimOutcome
{
    /// <summary>This message owns the work: do it.</summary>
    Claimed,

    /// <summary>Another message did or is doing the work: complete this one without doing it.</summary>
    AlreadyHandled,

    /// <summary>The signed content was already claimed under another webhook id: a replay, not to be done again.</summary>
    Replayed,
}

/// <summary>
/// The webhook delivery ledger, <c>AthosWebhookDeliveries</c>: deduplication, and a queryable record of every
/// authenticated delivery, kept for <see cref="WebhookOptions.DeliveryRetention"/>. A delivery's rows are in its call's
/// partition: one per webhook id (<see cref="DeliveryRecord"/>) and one per signed content (<see cref="SignedContentRow"/>,
/// the SHA-256 of <c>t.body</c>), claimed together in one entity-group transaction. So a repeat of an id (Athos's retry)
/// and the same signed content under a new id (a captured delivery replayed within the signature's tolerance) are both
/// recognised, for the one storage request the claim always cost.
/// </summary>
/// <remarks>
/// The ACK path writes to it only when it does not queue (an ignored event, in partition
/// <see cref="IgnoredPartition"/>); a queued delivery's rows are written once, by the queue worker's claim before it
/// fetches, and touched again only by a duplicate or a failure. Keeping a call's cost at one ledger write is what the
/// claim-only design is for (docs/performance.md).
/// </remarks>
internal sealed class DeliveryLedger(TableServiceClient tables, TimeProvider time)
{
    /// <summary>The partition of deliveries of event types this version does not handle (they name no call it reads).</summary>
    public const string IgnoredPartition = "_ignored";

    private readonly TableClient _table = tables.GetTableClient(StorageNames.WebhookDeliveriesTable);

    public async Task<DeliveryRecord?> FindAsync(string callId, string webhookId, CancellationToken cancellationToken = default)
    {
        var response = await _table.GetEntityIfExistsAsync<DeliveryRecord>(callId, webhookId, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Counts another arrival of a known id; a concurrent update is re-read and counted again.</summary>
    public async Task RecordRepeatAsync(DeliveryRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            record.Deliveries++;
            record.LastReceivedAt = time.GetUtcNow();
            try
            {
                await _table.UpdateEntityAsync(record, record.ETag, TableUpdateMode.Merge, cancellationToken);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // The worker claimed or completed it meanwhile: count on the fresh row.
                if (await FindAsync(record.PartitionKey, record.WebhookId, cancellationToken) is not { } fresh)
                {
                    return;
                }

                record = fresh;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Purged meanwhile; the duplicate was still answered correctly.
                return;
            }
        }
    }

    /// <summary>Records an authenticated delivery of an event type that is not handled.</summary>
    public async Task RecordIgnoredAsync(string webhookId, string eventType, string? athosRequestId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await _table.UpsertEntityAsync(
            new DeliveryRecord
            {
                PartitionKey = IgnoredPartition,
                RowKey = webhookId,
                Event = eventType,
                ReceivedAt = now,
                LastReceivedAt = now,
                Status = DeliveryStatus.Ignored,
                AthosRequestId = athosRequestId,
            },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    /// <summary>
    /// Claims a webhook's work item for the queue message <paramref name="messageId"/> before any work is done, so
    /// that a duplicate delivery (a second message for the same webhook id, or for the same signed content under another
    /// id) causes no second Athos fetch. <paramref name="contentHash"/> is absent in items queued before it existed.
    /// </summary>
    public async Task<DeliveryClaimOutcome> ClaimAsync(string webhookId, string callId, bool success, DateTimeOffset? receivedAt, string messageId, string? contentHash, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var record = new DeliveryRecord
        {
            PartitionKey = callId,
            RowKey = webhookId,
            CallId = callId,
            Event = WebhookEventTypes.CallScored,
            Success = success,
            ReceivedAt = receivedAt ?? now,
            LastReceivedAt = receivedAt ?? now,
            Status = DeliveryStatus.Claimed,
            MessageId = messageId,
        };
        List<TableTransactionAction> claim = [new(TableTransactionActionType.Add, record)];
        if (contentHash is not null)
        {
            claim.Add(new(TableTransactionActionType.Add, SignedContentRow.For(callId, contentHash, webhookId, record.ReceivedAt)));
        }

        try
        {
            await _table.SubmitTransactionAsync(claim, cancellationToken);
            return DeliveryClaimOutcome.Claimed;
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            // A row exists: the id's (a retry of this message, another message's, or done), or only the content's.
        }

        var existing = await FindAsync(callId, webhookId, cancellationToken);
        switch (existing)
        {
            case null:
                // The id is new but its signed content was claimed before: the same delivery under another id.
                return DeliveryClaimOutcome.Replayed;
            case { Status: DeliveryStatus.Claimed or DeliveryStatus.Processing } when existing.MessageId == messageId:
                return DeliveryClaimOutcome.Claimed;
            case { Status: DeliveryStatus.Claimed or DeliveryStatus.Processing or DeliveryStatus.Processed }:
                // A duplicate that reached the queue before the first was processed: count it, do nothing else.
                await RecordRepeatAsync(existing, cancellationToken);
                return DeliveryClaimOutcome.AlreadyHandled;
            default:
                record.ETag = existing.ETag;
                await _table.UpdateEntityAsync(record, existing.ETag, TableUpdateMode.Replace, cancellationToken);
                return DeliveryClaimOutcome.Claimed;
        }
    }

    /// <summary>
    /// Notes why the latest attempt failed (the message will be retried, or end in the poison queue), on the delivery's
    /// row if it has one: a merge into no row would leave a bare one, without the columns the purge and erasure select
    /// on, that a later claim would take for a claimed delivery.
    /// </summary>
    public async Task RecordFailureAsync(string callId, string webhookId, string error, CancellationToken cancellationToken = default)
    {
        var update = new DeliveryRecordPatch { PartitionKey = callId, RowKey = webhookId, LastError = error.Length > 1000 ? error[..1000] : error };
        try
        {
            await _table.UpdateEntityAsync(update, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Claimed under the layout before this one, or purged: the failure is in the log either way.
        }
    }

    /// <summary>
    /// Deletes a delivery's rows (its webhook id's and its signed content's): its call was erased, so nothing of it is
    /// kept. A repeat of the delivery is then claimed again, and completes as erased again.
    /// </summary>
    public async Task ForgetAsync(string callId, string webhookId, string? contentHash, CancellationToken cancellationToken = default)
    {
        string[] rowKeys = contentHash is null ? [webhookId] : [webhookId, SignedContentRow.KeyPrefix + contentHash];
        foreach (var rowKey in rowKeys)
        {
            try
            {
                await _table.DeleteEntityAsync(callId, rowKey, ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Never claimed here, or deleted already.
            }
        }
    }
}
