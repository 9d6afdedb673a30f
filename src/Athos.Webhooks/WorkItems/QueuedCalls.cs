using Athos.Webhooks.AthosApi;
using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.WorkItems;

/// <summary>
/// Marks of calls that the reconciler, a backfill, the rescan or a deferral put on the queue and that are not processed
/// yet (<c>AthosState</c>, <c>PartitionKey</c> = <c>queued</c>, <c>RowKey</c> = call id), so that the next run does not
/// queue them again while they wait: during an Athos or worker outage the queue would otherwise gain the whole backlog
/// once more on every run. The worker clears a mark when its item is done or parked. Webhook deliveries write none
/// (the ACK path makes no storage write but the queue put).
/// </summary>
internal sealed class QueuedCalls(TableServiceClient tables, TimeProvider time)
{
    public const string Partition = "queued";

    /// <summary>
    /// How long a mark holds after the item's expected start when nothing clears it: longer than an item's attempts take
    /// (host.json: 5 attempts a minute apart, each within the 60 s Athos budget), so that only a mark that leaked expires.
    /// </summary>
    public static readonly TimeSpan Hold = TimeSpan.FromHours(1);

    private readonly TableClient _table = tables.GetTableClient(StorageNames.StateTable);

    /// <summary>Whether <paramref name="callId"/> is on the queue already and could not have been processed yet.</summary>
    public async Task<bool> IsPendingAsync(CallId callId, CancellationToken cancellationToken)
    {
        var mark = await _table.GetEntityIfExistsAsync<QueuedMark>(Partition, callId.Value, select: [nameof(QueuedMark.ExpectedBy)], cancellationToken: cancellationToken);
        return mark.HasValue && mark.Value!.ExpectedBy > time.GetUtcNow();
    }

    /// <summary>Marks a call as queued; <paramref name="delay"/> is how long its message stays invisible first.</summary>
    public async Task MarkAsync(CallId callId, string origin, TimeSpan delay, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await _table.UpsertEntityAsync(
            new QueuedMark { RowKey = callId.Value, Origin = origin, QueuedAt = now, ExpectedBy = now + delay + Hold },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    /// <summary>
    /// The call's item is done (or parked), or the call was erased: the next run may queue it again if it is still
    /// missing. Whether there was a mark.
    /// </summary>
    public async Task<bool> ClearAsync(CallId callId, CancellationToken cancellationToken)
    {
        try
        {
            return (await _table.DeleteEntityAsync(Partition, callId.Value, ETag.All, cancellationToken)).Status != 404;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Never marked (a webhook item), or cleared already.
            return false;
        }
    }
}
