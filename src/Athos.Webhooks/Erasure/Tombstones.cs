using Athos.Webhooks.Changes;
using Athos.Webhooks.Storage;
using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Erasure;

/// <summary>
/// The tombstones of erased calls. A tombstone is the <c>AthosCalls</c> row at the call's own key, holding no call data
/// (<c>Status</c> = <c>erased</c>, <c>ErasedAt</c>, and the key of the call's <c>erased</c> change), so that every writer
/// meets it before it stores the call, at no extra request: a new call's insert conflicts with it, and every other
/// commit is conditional on the row its writer read (<see cref="Writing.CallRowWriter"/>). Each is listed in <c>AthosState</c>
/// (<see cref="ErasedCallRow"/>) for the daily housekeeping.
/// </summary>
internal sealed class Tombstones(TableServiceClient tables, ChangeLog changeLog, IOptions<ErasureOptions> options, TimeProvider time)
{
    private const int MaxAttempts = 5;

    private readonly TableClient _calls = tables.GetTableClient(StorageNames.CallsTable);
    private readonly TableClient _changes = tables.GetTableClient(StorageNames.CallChangesTable);
    private readonly TableClient _state = tables.GetTableClient(StorageNames.StateTable);

    /// <summary>
    /// Puts the tombstone in place of the call's row (or where none is), first of all, so that a writer at work meets it;
    /// the stamp of its <c>erased</c> change follows the call's previous change. A call erased before keeps its tombstone
    /// (and its erased change). Returns the tombstone and the row it replaced.
    /// </summary>
    public async Task<(CallRow Tombstone, CallRow? Replaced)> LayAsync(string callId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var stored = await ReadAsync(callId, cancellationToken);
            if (stored is { IsErased: true })
            {
                await ListAsync(callId, stored.ErasedAt ?? time.GetUtcNow(), cancellationToken);
                return (stored, null);
            }

            var tombstone = new CallRow { PartitionKey = callId, CallId = callId, Status = CallStatus.Erased, ErasedAt = time.GetUtcNow() };
            changeLog.Stamp(tombstone, stored);

            // Listed before it exists: a crash in between leaves a listing without a tombstone (the housekeeping drops
            // it), never a tombstone the housekeeping cannot find.
            await ListAsync(callId, tombstone.ErasedAt.Value, cancellationToken);
            try
            {
                var laid = stored is null
                    ? await _calls.AddEntityAsync(tombstone, cancellationToken)
                    : await _calls.UpdateEntityAsync(tombstone, stored.ETag, TableUpdateMode.Replace, cancellationToken);
                tombstone.ETag = laid.Headers.ETag ?? default;
                return (tombstone, stored);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
            {
                // A writer committed meanwhile: erase what it wrote.
            }
        }

        throw new StorageConflictException($"The row of call {callId} kept changing under {MaxAttempts} attempts to erase it.");
    }

    /// <summary>Appends the tombstone's <c>erased</c> change unless it is there (<see cref="ChangeLog.EnsureLoggedAsync"/>).</summary>
    public Task AppendErasedChangeAsync(CallRow tombstone, CancellationToken cancellationToken) => changeLog.EnsureLoggedAsync(tombstone, cancellationToken);

    /// <summary>Deletes the call's tombstone, so that the call may be stored again; the tombstone lifted, or null when there was none.</summary>
    public async Task<CallRow?> LiftAsync(string callId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (await ReadAsync(callId, cancellationToken) is not { IsErased: true } tombstone)
            {
                return null;
            }

            if (await TryDeleteAsync(_calls, callId, string.Empty, tombstone.ETag, cancellationToken))
            {
                await TryDeleteAsync(_state, ErasedCallRow.Partition, callId, ETag.All, cancellationToken);
                return tombstone;
            }
        }

        throw new StorageConflictException($"The row of call {callId} kept changing under {MaxAttempts} attempts to lift its tombstone.");
    }

    /// <summary>
    /// The daily housekeeping: lifts the tombstones laid before <paramref name="now"/> − <c>ATHOS_ERASURE_TOMBSTONE_RETENTION</c>;
    /// returns how many.
    /// </summary>
    public async Task<int> ExpireAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cutoff = now - options.Value.TombstoneRetention;
        var lifted = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ErasedCallRow.Partition} and ErasedAt lt {cutoff}");
        await foreach (var listed in _state.QueryAsync<ErasedCallRow>(filter, cancellationToken: cancellationToken))
        {
            var stored = await ReadAsync(listed.RowKey, cancellationToken);
            if (stored is { IsErased: true, ErasedAt: { } erasedAt } && erasedAt >= cutoff)
            {
                // Erased again since it was listed: kept for its own retention.
                await ListAsync(listed.RowKey, erasedAt, cancellationToken);
                continue;
            }

            if (stored is { IsErased: true } && !await TryDeleteAsync(_calls, listed.RowKey, string.Empty, stored.ETag, cancellationToken))
            {
                // Changed meanwhile: judged again on the next day.
                continue;
            }

            lifted += stored is { IsErased: true } ? 1 : 0;
            await TryDeleteAsync(_state, listed.PartitionKey, listed.RowKey, ETag.All, cancellationToken);
        }

        return lifted;
    }

    /// <summary>
    /// The daily housekeeping: for each call erased more than the feed's read margin ago, deletes the change rows that a
    /// writer which committed just before the tombstone appended after <c>forget</c> had deleted the call's changes (a
    /// change row is written within that margin of its stamp, and such a stamp is at most that long before the erasure).
    /// Returns how many rows it deleted.
    /// </summary>
    public async Task<int> SweepLateChangesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settled = now - CallChangeFeed.ReadMargin;
        var deleted = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ErasedCallRow.Partition} and LateChangesSwept eq {false} and ErasedAt lt {settled}");
        await foreach (var listed in _state.QueryAsync<ErasedCallRow>(filter, cancellationToken: cancellationToken))
        {
            if (await ReadAsync(listed.RowKey, cancellationToken) is { IsErased: true, ChangeKey: { } erasedKey })
            {
                var from = ChangeKeys.PartitionKey(listed.ErasedAt - CallChangeFeed.ReadMargin);
                var to = ChangeKeys.PartitionKey(ChangeKeys.StampOf(erasedKey));
                var late = TableClient.CreateQueryFilter($"PartitionKey ge {from} and PartitionKey le {to} and CallId eq {listed.RowKey} and RowKey ne {erasedKey}");
                await foreach (var row in _changes.QueryAsync<KeysRow>(late, select: KeysRow.Columns, cancellationToken: cancellationToken))
                {
                    deleted += await TryDeleteAsync(_changes, row.PartitionKey, row.RowKey, ETag.All, cancellationToken) ? 1 : 0;
                }
            }

            listed.LateChangesSwept = true;
            try
            {
                await _state.UpdateEntityAsync(listed, listed.ETag, TableUpdateMode.Merge, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Lifted, or erased again meanwhile (then swept again on a later day).
            }
        }

        return deleted;
    }

    private async Task<CallRow?> ReadAsync(string callId, CancellationToken cancellationToken)
    {
        var response = await _calls.GetEntityIfExistsAsync<CallRow>(callId, string.Empty, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    private async Task ListAsync(string callId, DateTimeOffset erasedAt, CancellationToken cancellationToken) =>
        await _state.UpsertEntityAsync(new ErasedCallRow { RowKey = callId, ErasedAt = erasedAt }, TableUpdateMode.Replace, cancellationToken);

    /// <summary>Deletes a row if it is still as read; false when it changed (412) or was gone (404).</summary>
    private static async Task<bool> TryDeleteAsync(TableClient table, string partitionKey, string rowKey, ETag etag, CancellationToken cancellationToken)
    {
        try
        {
            return (await table.DeleteEntityAsync(partitionKey, rowKey, etag, cancellationToken)).Status != 404;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }
}
