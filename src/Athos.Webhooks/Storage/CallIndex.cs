using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Storage;

/// <summary>
/// Where one index row of a call lives: <c>AthosCallsByUser</c> or <c>AthosCallsByDay</c>, and its keys (verify names a
/// change row of <c>AthosCallChanges</c> the same way).
/// </summary>
internal sealed record IndexKey(string Table, string PartitionKey, string RowKey)
{
    public override string ToString() => $"{Table} {PartitionKey} / {RowKey}";
}

/// <summary>
/// A call's index rows in <c>AthosCallsByUser</c> and <c>AthosCallsByDay</c>, written only forward so that, once writes
/// quiesce, they hold exactly what the <c>AthosCalls</c> row holds, at its keys, and nothing is left at other keys.
/// </summary>
/// <remarks>
/// Every row carries its <see cref="RowVersion"/> in its own columns, and every change is ETag-conditional on the row
/// as read:
/// <list type="bullet">
/// <item>before its commit a writer puts its row over an absent or strictly older one only (a row of the same version
/// is settled after the commit, a newer one is left to its own writer), and deletes the rows at the keys of the version
/// it replaces that it does not use, unless they hold a newer version than its own: before, so that a crash after the
/// commit cannot leave them behind for good;</item>
/// <item>after its commit the writer gives a row of the same version its own values (another fetch of that version
/// may have put other ones);</item>
/// <item>a writer that loses (the main row is as new or newer) deletes what it may have put at keys the main row does
/// not have, under the same condition, including on a retry after it died.</item>
/// </list>
/// A row therefore only ever moves forward, or to the committed values of its own version, and whoever learns that a
/// row is at stale keys removes it; no writer re-projects from a row it read earlier.
/// </remarks>
internal sealed class CallIndex(TableServiceClient tables)
{
    private const int MaxAttempts = 5;

    private readonly TableClient _calls = tables.GetTableClient(StorageNames.CallsTable);
    private readonly TableClient _byUser = tables.GetTableClient(StorageNames.CallsByUserTable);
    private readonly TableClient _byDay = tables.GetTableClient(StorageNames.CallsByDayTable);

    /// <summary>The keys of <paramref name="row"/>'s index rows (none without a time; no rep row without a rep).</summary>
    public static IReadOnlyList<IndexKey> KeysOf(CallRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.IndexTime is not { } time)
        {
            return [];
        }

        var rowKey = TableKeys.NewestFirstRowKey(time, row.CallId);
        var day = new IndexKey(StorageNames.CallsByDayTable, TableKeys.Day(time), rowKey);
        return TableKeys.UserPartition(row.RepId) is { } user ? [new IndexKey(StorageNames.CallsByUserTable, user, rowKey), day] : [day];
    }

    /// <summary>The index row at <paramref name="key"/>, or <see langword="null"/>.</summary>
    public async Task<CallRow?> ReadAsync(IndexKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var response = await Table(key).GetEntityIfExistsAsync<CallRow>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>
    /// Before a commit: puts <paramref name="row"/>'s index rows where nothing as new is. Keys of
    /// <paramref name="likelyPresent"/> (the stored version's) are read first; others are inserted straight away, which
    /// keeps a new call's cost at one insert per row.
    /// </summary>
    internal async Task<IReadOnlyList<IndexPut>> PutForwardAsync(CallRow row, IReadOnlyCollection<IndexKey> likelyPresent, CancellationToken cancellationToken)
    {
        // The rows are independent (other tables, each conditional on itself): put at once, not one after the other.
        return await Task.WhenAll(KeysOf(row).Select(key => PutForwardAsync(key, row, likelyAbsent: !likelyPresent.Contains(key), cancellationToken)));
    }

    /// <summary>
    /// After <paramref name="committed"/> was committed: rows of its version that another fetch of that version put
    /// with other values (<c>EnrichedAt</c>, <c>AthosRequestId</c>) get its values.
    /// </summary>
    internal async Task SettleAsync(CallRow committed, IReadOnlyList<IndexPut> puts, CancellationToken cancellationToken)
    {
        foreach (var put in puts)
        {
            if (put.Outcome == PutOutcome.HeldSameVersion)
            {
                await SettleSameVersionAsync(put.Key, committed, put.Found!, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Deletes the rows at <paramref name="keys"/> that <paramref name="reference"/> (the version being written, or the
    /// stored one a loser found) does not use, each only while it holds a version not newer than
    /// <paramref name="reference"/>'s: a newer one belongs to a writer still at work.
    /// </summary>
    internal async Task RemoveStaleAsync(IEnumerable<IndexKey> keys, CallRow reference, CancellationToken cancellationToken)
    {
        var version = RowVersion.Of(reference);
        foreach (var key in keys.Distinct().Except(KeysOf(reference)))
        {
            await DeleteAsync(key, row => RowVersion.Of(row) <= version, cancellationToken);
        }
    }

    /// <summary>
    /// Deletes whatever rows are at <paramref name="keys"/> (all of one call: their row keys end with its id), whatever
    /// they hold: a writer's put taken back once it met the call's tombstone.
    /// </summary>
    internal async Task DeleteAsync(IEnumerable<IndexKey> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            await TryAsync(() => Table(key).DeleteEntityAsync(key.PartitionKey, key.RowKey, ETag.All, cancellationToken));
        }
    }

    /// <summary>
    /// An operator's repair: makes the index rows of <paramref name="callId"/> exactly what its <c>AthosCalls</c> row
    /// says (inserted, replaced, rolled back if ahead of it), deletes its rows at <paramref name="otherKeys"/>, or all of
    /// them when it has no row. The main row is then touched (its ETag changes, nothing else), so that a writer that put
    /// index rows before this repair cannot commit without putting them again. Says what it changed.
    /// </summary>
    public async Task<IReadOnlyList<string>> RepairAsync(string callId, IEnumerable<IndexKey> otherKeys, CancellationToken cancellationToken)
    {
        var changes = new List<string>();
        var stray = new HashSet<IndexKey>(otherKeys);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var response = await _calls.GetEntityIfExistsAsync<CallRow>(callId, string.Empty, cancellationToken: cancellationToken);
            var main = response.HasValue ? response.Value : null;
            var keys = main is null ? [] : KeysOf(main);
            var changedNow = 0;
            foreach (var key in keys)
            {
                if (await SetAsync(key, main!, cancellationToken) is { } change)
                {
                    changes.Add(change);
                    changedNow++;
                }
            }

            foreach (var key in stray.Except(keys))
            {
                if (await DeleteAsync(key, _ => true, cancellationToken))
                {
                    changes.Add($"deleted the row at {key}");
                    changedNow++;
                }
            }

            if (main is null || changedNow == 0)
            {
                return changes;
            }

            try
            {
                await _calls.UpdateEntityAsync(new KeysRow { PartitionKey = callId }, main.ETag, TableUpdateMode.Merge, cancellationToken);
                return changes;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // A writer committed meanwhile: converge to its version, and clear what was just put at other keys.
                stray.UnionWith(keys);
            }
        }

        throw new StorageConflictException($"The rows of call {callId} kept changing under {MaxAttempts} attempts to repair its index rows.");
    }

    private async Task<IndexPut> PutForwardAsync(IndexKey key, CallRow row, bool likelyAbsent, CancellationToken cancellationToken)
    {
        var entity = row.CloneWithKeys(key.PartitionKey, key.RowKey, withScoreJson: false);
        var version = RowVersion.Of(row);
        var insert = likelyAbsent;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (insert && await TryAsync(() => Table(key).AddEntityAsync(entity, cancellationToken)))
            {
                return new IndexPut(key, PutOutcome.Written, null);
            }

            var existing = await ReadAsync(key, cancellationToken);
            if (existing is null)
            {
                insert = true;
                continue;
            }

            var comparison = version.CompareTo(RowVersion.Of(existing));
            if (comparison <= 0)
            {
                return new IndexPut(key, comparison == 0 ? PutOutcome.HeldSameVersion : PutOutcome.HeldNewer, existing);
            }

            if (await TryAsync(() => Table(key).UpdateEntityAsync(entity, existing.ETag, TableUpdateMode.Replace, cancellationToken)))
            {
                return new IndexPut(key, PutOutcome.Written, null);
            }

            insert = false;
        }

        throw new StorageConflictException($"The index row at {key} kept changing under {MaxAttempts} attempts to write it.");
    }

    /// <summary>Gives a row of <paramref name="committed"/>'s version its values; a newer row, or none, is left as it is.</summary>
    private async Task SettleSameVersionAsync(IndexKey key, CallRow committed, CallRow found, CancellationToken cancellationToken)
    {
        var entity = committed.CloneWithKeys(key.PartitionKey, key.RowKey, withScoreJson: false);
        var version = RowVersion.Of(committed);
        CallRow? existing = found;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (existing is null || RowVersion.Of(existing) > version || IndexColumns.Differences(entity, existing).Count == 0)
            {
                // Gone means a newer commit moved the call and deleted it: putting it back would leave a stale row.
                return;
            }

            if (await TryAsync(() => Table(key).UpdateEntityAsync(entity, existing.ETag, TableUpdateMode.Replace, cancellationToken)))
            {
                return;
            }

            existing = await ReadAsync(key, cancellationToken);
        }

        throw new StorageConflictException($"The index row at {key} kept changing under {MaxAttempts} attempts to settle it.");
    }

    /// <summary>Sets the row at <paramref name="key"/> to <paramref name="main"/>'s values, whatever it held; says what it did, or null.</summary>
    private async Task<string?> SetAsync(IndexKey key, CallRow main, CancellationToken cancellationToken)
    {
        var entity = main.CloneWithKeys(key.PartitionKey, key.RowKey, withScoreJson: false);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var existing = await ReadAsync(key, cancellationToken);
            if (existing is null)
            {
                if (await TryAsync(() => Table(key).AddEntityAsync(entity, cancellationToken)))
                {
                    return $"inserted the row at {key} ({RowVersion.Of(main)})";
                }

                continue;
            }

            if (IndexColumns.Differences(entity, existing).Count == 0)
            {
                return null;
            }

            if (await TryAsync(() => Table(key).UpdateEntityAsync(entity, existing.ETag, TableUpdateMode.Replace, cancellationToken)))
            {
                return $"replaced the row at {key} ({RowVersion.Of(existing)} → {RowVersion.Of(main)})";
            }
        }

        throw new StorageConflictException($"The index row at {key} kept changing under {MaxAttempts} attempts to repair it.");
    }

    /// <summary>Deletes the row at <paramref name="key"/> if it exists and <paramref name="condition"/> holds for it as read; says whether it did.</summary>
    private async Task<bool> DeleteAsync(IndexKey key, Func<CallRow, bool> condition, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var existing = await ReadAsync(key, cancellationToken);
            if (existing is null || !condition(existing))
            {
                return false;
            }

            try
            {
                await Table(key).DeleteEntityAsync(key.PartitionKey, key.RowKey, existing.ETag, cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return false;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Changed since it was read: judge it again.
            }
        }

        throw new StorageConflictException($"The index row at {key} kept changing under {MaxAttempts} attempts to delete it.");
    }

    /// <summary>Runs a conditional write; false when its condition failed (409 exists, 404 gone, 412 changed).</summary>
    private static async Task<bool> TryAsync(Func<Task<Response>> write)
    {
        try
        {
            await write();
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            return false;
        }
    }

    private TableClient Table(IndexKey key) => key.Table switch
    {
        StorageNames.CallsByUserTable => _byUser,
        StorageNames.CallsByDayTable => _byDay,
        _ => throw new ArgumentException($"{key.Table} is not an index table.", nameof(key)),
    };
}

/// <summary>What a forward put found at one key.</summary>
internal enum PutOutcome
{
    /// <summary>The row now holds the writer's values.</summary>
    Written,

    /// <summary>A row of the same version was there (its values may differ): settled after the commit.</summary>
    HeldSameVersion,

    /// <summary>A newer row was there: left to its writer.</summary>
    HeldNewer,
}

/// <summary>One key's forward put, with the row found there when it was not written.</summary>
internal sealed record IndexPut(IndexKey Key, PutOutcome Outcome, CallRow? Found);
