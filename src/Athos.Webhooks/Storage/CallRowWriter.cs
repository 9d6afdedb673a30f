using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Storage;

/// <summary>What a write of a call's rows did, and the <c>AthosCalls</c> row it compared with (null when there was none).</summary>
public readonly record struct RowWrite(RowWriteResult Result, CallRow? Stored);

/// <summary>What a write of a call's rows did.</summary>
public enum RowWriteResult
{
    /// <summary>The rows now hold this version.</summary>
    Stored,

    /// <summary>The rows already held this version (under the current schema): nothing was written.</summary>
    Unchanged,

    /// <summary>The rows hold a newer version (or a score, for a failure): nothing was written.</summary>
    Superseded,
}

/// <summary>
/// Writes a call's row to <c>AthosCalls</c> and its index rows to <c>AthosCallsByUser</c> and <c>AthosCallsByDay</c>,
/// so that they converge to the newest version whatever the duplicates and the order.
/// </summary>
/// <remarks>
/// The <c>AthosCalls</c> row is the arbiter: it is read, compared (<see cref="CallVersion"/>) and written with an
/// ETag condition, last. Before that commit the archive blob is written and the index rows are put at their new keys
/// (old keys deleted), so that a crash before the commit leaves the old version in place and the retry redoes
/// everything; a writer that loses the commit race re-projects the index rows from the winner's row.
/// </remarks>
public sealed class CallRowWriter(TableServiceClient tables)
{
    private const int MaxAttempts = 5;

    private readonly TableClient _calls = tables.GetTableClient(StorageNames.CallsTable);
    private readonly TableClient _byUser = tables.GetTableClient(StorageNames.CallsByUserTable);
    private readonly TableClient _byDay = tables.GetTableClient(StorageNames.CallsByDayTable);

    /// <summary>
    /// Writes <paramref name="incoming"/> (a main-table row) if it is newer than what is stored, or the same version
    /// stored under an older <see cref="CallRow.SchemaVersion"/> (which gains the new columns).
    /// <paramref name="beforeCommit"/> runs once it is decided to write, with the stored row if any (the archive blob,
    /// the recording); it may still set columns of <paramref name="incoming"/>.
    /// </summary>
    public async Task<RowWrite> WriteAsync(CallRow incoming, Func<CallRow?, CancellationToken, Task>? beforeCommit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        incoming.PartitionKey = incoming.CallId;
        incoming.RowKey = string.Empty;
        var version = CallVersion.Of(incoming);
        var indexWritten = new List<IndexKey>();

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var stored = await ReadAsync(incoming.CallId, cancellationToken);
            var comparison = stored is null ? 1 : version.CompareTo(CallVersion.Of(stored));
            var upgrade = comparison == 0 && stored!.SchemaVersion < incoming.SchemaVersion;
            if (comparison < 0 || (comparison == 0 && !upgrade))
            {
                if (indexWritten.Count > 0)
                {
                    // We lost a race after touching index rows: make them match the winner again.
                    await SyncIndexAsync(stored!, indexWritten, cancellationToken);
                }

                return new RowWrite(comparison == 0 ? RowWriteResult.Unchanged : RowWriteResult.Superseded, stored);
            }

            if (beforeCommit is not null)
            {
                await beforeCommit(stored, cancellationToken);
            }

            indexWritten.AddRange(await SyncIndexAsync(incoming, stored is null ? [] : IndexKeysOf(stored), cancellationToken));

            try
            {
                if (stored is null)
                {
                    await _calls.AddEntityAsync(incoming, cancellationToken);
                }
                else
                {
                    await _calls.UpdateEntityAsync(incoming, stored.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                return new RowWrite(RowWriteResult.Stored, stored);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another writer committed first; read again and compare.
            }
        }

        throw new StorageConflictException($"The rows of call {incoming.CallId} kept changing under {MaxAttempts} attempts to write them.");
    }

    /// <summary>
    /// Sets the recording's state on a stored <c>AthosCalls</c> row, unless the row changed since it was read (a newer
    /// version decided its recording's state itself). Index rows do not carry it.
    /// </summary>
    public async Task UpdateRecordingAsync(CallRow stored, string? status, string? error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        stored.RecordingStatus = status;
        stored.RecordingError = error;
        try
        {
            // Replace, not merge: a merge cannot remove the previous error.
            await _calls.UpdateEntityAsync(stored, stored.ETag, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Changed or gone meanwhile: its writer has the last word.
        }
    }

    /// <summary>The stored <c>AthosCalls</c> row of a call, or <see langword="null"/>.</summary>
    public async Task<CallRow?> ReadAsync(string callId, CancellationToken cancellationToken)
    {
        var response = await _calls.GetEntityIfExistsAsync<CallRow>(callId, string.Empty, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Puts <paramref name="row"/>'s index rows and deletes those of <paramref name="staleKeys"/> it no longer has.</summary>
    private async Task<IReadOnlyList<IndexKey>> SyncIndexAsync(CallRow row, IEnumerable<IndexKey> staleKeys, CancellationToken cancellationToken)
    {
        var keys = IndexKeysOf(row);
        foreach (var key in keys)
        {
            await key.Table.UpsertEntityAsync(row.CloneWithKeys(key.PartitionKey, key.RowKey, withScoreJson: false), TableUpdateMode.Replace, cancellationToken);
        }

        foreach (var stale in staleKeys.Except(keys))
        {
            try
            {
                await stale.Table.DeleteEntityAsync(stale.PartitionKey, stale.RowKey, ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Already gone.
            }
        }

        return keys;
    }

    private List<IndexKey> IndexKeysOf(CallRow row)
    {
        var keys = new List<IndexKey>(2);
        if (row.IndexTime is not { } time)
        {
            return keys;
        }

        var rowKey = TableKeys.NewestFirstRowKey(time, row.CallId);
        if (TableKeys.UserPartition(row.RepId) is { } user)
        {
            keys.Add(new IndexKey(_byUser, user, rowKey));
        }

        keys.Add(new IndexKey(_byDay, TableKeys.Day(time), rowKey));
        return keys;
    }

    private sealed record IndexKey(TableClient Table, string PartitionKey, string RowKey);
}
