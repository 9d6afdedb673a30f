using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;
using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Erasure;

/// <summary>
/// What <see cref="CallEraser.EraseAsync"/> removed, what only time removes (soft-deleted copies, messages out of
/// reach), the tombstone it left (laid at <paramref name="ErasedAt"/>, kept until <paramref name="KeptUntil"/>), and the
/// key of the call's <c>erased</c> change in <c>AthosCallChanges</c>.
/// </summary>
internal sealed record ErasureReport(IReadOnlyList<string> Removed, IReadOnlyList<string> Remaining, DateTimeOffset ErasedAt, DateTimeOffset KeptUntil, string? ErasedChange);

/// <summary>
/// Erases one call (<c>athos-webhooks forget</c>) so that it stays erased: a tombstone first, in place of its
/// <c>AthosCalls</c> row, which every writer meets before it stores the call again (<see cref="Tombstones"/>); then every
/// copy: its index rows, its change-feed rows, its archive blob and recording with their versions, its delivery-ledger
/// rows, its parked items, its queued mark and its messages on both queues; last, an <c>erased</c> change in the feed, so
/// that a sync deletes its copy. Re-running it is harmless and appends no second <c>erased</c> change.
/// </summary>
/// <remarks>
/// Index rows are found twice: at the keys the replaced row gives, and by a <c>CallId eq</c> query (a scan), so that a
/// row orphaned by a crash or written under an older key scheme is found too. A writer that committed just before the
/// tombstone may still append its change just after the change rows were deleted (a change row exists within the feed's
/// read margin of its stamp): the feed then has it before the <c>erased</c> change, and the daily housekeeping deletes it
/// (<see cref="Tombstones.SweepLateChangesAsync"/>).
/// </remarks>
internal sealed class CallEraser(TableServiceClient tables, Tombstones tombstones, CallBlobEraser blobs, PendingWorkEraser work, IOptions<ErasureOptions> options)
{
    /// <summary>The tables holding rows of a call, each with a <c>CallId</c> column, besides its tombstone's <c>AthosCalls</c>.</summary>
    private static readonly string[] CopyTables = [StorageNames.CallChangesTable, StorageNames.CallsByDayTable, StorageNames.CallsByUserTable, StorageNames.WebhookDeliveriesTable];

    public async Task<ErasureReport> EraseAsync(CallId callId, CancellationToken cancellationToken = default)
    {
        var id = callId.Value;
        var removed = new List<string>();
        var remaining = new List<string>();

        var (tombstone, replaced) = await tombstones.LayAsync(id, cancellationToken);
        if (replaced is not null)
        {
            removed.Add($"{StorageNames.CallsTable}: row {id}");
        }

        var known = replaced is null ? [] : CallIndex.KeysOf(replaced);
        foreach (var table in CopyTables)
        {
            var client = tables.GetTableClient(table);
            var keys = known.Where(k => k.Table == table).Select(k => (k.PartitionKey, k.RowKey)).ToHashSet();
            await foreach (var row in client.QueryAsync<KeysRow>(TableClient.CreateQueryFilter($"CallId eq {id}"), select: KeysRow.Columns, cancellationToken: cancellationToken))
            {
                keys.Add((row.PartitionKey, row.RowKey));
            }

            // The erased change, when a run before this one appended it, stays.
            foreach (var (partitionKey, rowKey) in keys.Where(k => k.RowKey != tombstone.ChangeKey))
            {
                if (await DeleteRowAsync(client, partitionKey, rowKey, cancellationToken))
                {
                    removed.Add(rowKey.Length == 0 ? $"{table}: row {partitionKey}" : $"{table}: row {partitionKey} / {rowKey}");
                }
            }
        }

        await blobs.EraseAsync(id, removed, remaining, cancellationToken);
        await work.EraseAsync(callId, removed, remaining, cancellationToken);
        await tombstones.AppendErasedChangeAsync(tombstone, cancellationToken);

        var erasedAt = tombstone.ErasedAt ?? DateTimeOffset.MinValue;
        return new ErasureReport(removed, remaining, erasedAt, erasedAt + options.Value.TombstoneRetention, tombstone.ChangeKey);
    }

    /// <summary>Lifts the call's tombstone, so that the next reconcile, rescan, backfill or webhook may store it again; the tombstone lifted, or null.</summary>
    public Task<CallRow?> RestoreAsync(CallId callId, CancellationToken cancellationToken = default) => tombstones.LiftAsync(callId.Value, cancellationToken);

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
}
