using Athos.Webhooks.Storage;
using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Changes;

/// <summary>
/// Appends to <c>AthosCallChanges</c> the versions that win their <c>AthosCalls</c> commit, exactly once each, at a
/// stamp no reader following <see cref="CallChangeFeed.ReadMargin"/> has passed. <see cref="Writing.CallRowWriter"/> drives it.
/// </summary>
/// <remarks>
/// <para>Before the commit the version is given its change's key (<see cref="Stamp"/>): a stamp from this writer's clock,
/// later than the call's previous change even if that came from a clock ahead of this one, so a call's changes are in
/// order. The key and the kind go into the <c>AthosCalls</c> row itself (<c>ChangeKey</c>, <c>ChangeKind</c>), in the
/// same commit; after the commit the change row is inserted at that key. A writer that dies in between leaves the key
/// on the main row: whoever next writes that same version finds the version stored, reads the key (one point read) and,
/// finding no row there, appends it (<see cref="EnsureLoggedAsync"/>). Inserts are conditional (the key is taken once),
/// so two writers of one version append one row.</para>
/// <para>A change is only inserted at its stamp within <see cref="AppendDeadline"/> of it, by the writer's clock, and an
/// insert is given <see cref="AppendTimeout"/>; later, the stamp is taken by a <c>void</c> row (which also stops a
/// slower insert of the change there) and the change moves to a new stamp, written to the main row under its ETag.
/// So a change row exists within a bounded time of its stamp, which is what lets readers stay a fixed margin behind.
/// A version replaced by a newer one before its change could be moved is reported by the newer version's change.</para>
/// </remarks>
internal sealed class ChangeLog(TableServiceClient tables, TimeProvider time)
{
    /// <summary>A change is inserted at its stamp only this soon after it, by the inserting writer's clock.</summary>
    public static readonly TimeSpan AppendDeadline = TimeSpan.FromSeconds(30);

    /// <summary>How long one insert of a change may take before it is abandoned (the work item is then retried).</summary>
    public static readonly TimeSpan AppendTimeout = TimeSpan.FromSeconds(15);

    private const int MaxAttempts = 5;

    private readonly TableClient _changes = tables.GetTableClient(StorageNames.CallChangesTable);
    private readonly TableClient _calls = tables.GetTableClient(StorageNames.CallsTable);

    /// <summary>
    /// Before the commit of <paramref name="incoming"/> (a version, or a tombstone): gives it its change's key and kind,
    /// or, for the same version rewritten under a newer schema (not a change), the stored ones.
    /// </summary>
    public void Stamp(CallRow incoming, CallRow? stored)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        if (stored is not null && !incoming.IsErased && CallVersion.Of(incoming) == CallVersion.Of(stored))
        {
            (incoming.ChangeKey, incoming.ChangeKind) = (stored.ChangeKey, stored.ChangeKind);
            return;
        }

        incoming.ChangeKind = KindOf(incoming, stored);
        incoming.ChangeKey = ChangeKeys.RowKey(ChangeKeys.NextStamp(stored?.ChangeKey, time.GetUtcNow()), incoming.CallId);
    }

    /// <summary>
    /// Before the update that records <paramref name="stored"/>'s recording as archived: gives the update a change of its
    /// own (<see cref="ChangeKinds.RecordingArchived"/>), after the version's, so a reader learns the recording arrived.
    /// </summary>
    public void StampRecording(CallRow stored)
    {
        stored.ChangeKind = ChangeKinds.RecordingArchived;
        stored.ChangeKey = ChangeKeys.RowKey(ChangeKeys.NextStamp(stored.ChangeKey, time.GetUtcNow()), stored.CallId);
    }

    /// <summary>After <paramref name="committed"/> won its commit (its ETag set): appends its change.</summary>
    public Task AppendAsync(CallRow committed, CancellationToken cancellationToken) =>
        committed.ChangeKey is null ? Task.CompletedTask : LogAsync(committed, cancellationToken);

    /// <summary>
    /// A writer found <paramref name="stored"/> holding its own version: appends the version's change if the writer that
    /// committed it died before it did. One point read when the change is there.
    /// </summary>
    public async Task EnsureLoggedAsync(CallRow stored, CancellationToken cancellationToken)
    {
        if (stored.ChangeKey is not { } key || (await ReadAsync(key, cancellationToken) is { IsVoid: false }))
        {
            return;
        }

        await LogAsync(stored, cancellationToken);
    }

    /// <summary>The change's kind, from the version stored before it.</summary>
    public static string KindOf(CallRow incoming, CallRow? stored) =>
        incoming.IsErased ? ChangeKinds.Erased
        : incoming.Status == CallStatus.Failed ? ChangeKinds.Failed
        : stored is null ? ChangeKinds.Created
        : stored.Status == CallStatus.Failed ? ChangeKinds.ScoredAfterFailure
        : ChangeKinds.Rescored;

    private async Task LogAsync(CallRow version, CancellationToken cancellationToken)
    {
        var row = version;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var key = row.ChangeKey!;
            if (time.GetUtcNow() - ChangeKeys.StampOf(key) <= AppendDeadline)
            {
                if (await TryInsertAsync(Change(row, key), cancellationToken) || await ReadAsync(key, cancellationToken) is not { IsVoid: true })
                {
                    // Appended, by this writer or another one of the same version (or erased meanwhile).
                    return;
                }
            }
            else if (!await TryInsertAsync(Void(row.CallId, key), cancellationToken) && await ReadAsync(key, cancellationToken) is not { IsVoid: true })
            {
                // The change got there after all.
                return;
            }

            // The stamp is void: move the change to a new one, unless the main row changed meanwhile.
            var moved = ChangeKeys.RowKey(ChangeKeys.NextStamp(key, time.GetUtcNow()), row.CallId);
            if (await TryMoveAsync(row, moved, cancellationToken) is { } etag)
            {
                row.ChangeKey = moved;
                row.ETag = etag;
                continue;
            }

            var current = await _calls.GetEntityIfExistsAsync<CallRow>(row.CallId, string.Empty, cancellationToken: cancellationToken);
            if (!current.HasValue || current.Value!.ChangeKey is null || current.Value.IsErased != row.IsErased || CallVersion.Of(current.Value) != CallVersion.Of(row))
            {
                // Erased (or lifted), or a newer version won: its own change reports the call from now on.
                return;
            }

            row = current.Value;
        }

        throw new StorageConflictException($"The change of call {version.CallId} kept moving under {MaxAttempts} attempts to append it.");
    }

    /// <summary>Inserts a row where none is; false when one is there. Abandoned after <see cref="AppendTimeout"/>.</summary>
    private async Task<bool> TryInsertAsync(ChangeRow row, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(AppendTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await _changes.AddEntityAsync(row, linked.Token);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new StorageConflictException($"The change of call {row.CallId} was not appended within {AppendTimeout.TotalSeconds:0} seconds; a retry of the work appends it.", ex);
        }
    }

    /// <summary>Gives the main row a new change key if it is still as <paramref name="row"/> was read or written; its new ETag, or null.</summary>
    private async Task<ETag?> TryMoveAsync(CallRow row, string key, CancellationToken cancellationToken)
    {
        try
        {
            var update = new CallRowPatch { PartitionKey = row.CallId, ChangeKey = key };
            var response = await _calls.UpdateEntityAsync(update, row.ETag, TableUpdateMode.Merge, cancellationToken);
            return response.Headers.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return null;
        }
    }

    private async Task<ChangeRow?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        var response = await _changes.GetEntityIfExistsAsync<ChangeRow>(ChangeKeys.PartitionKey(ChangeKeys.StampOf(key)), key, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    private static ChangeRow Change(CallRow version, string key) => new()
    {
        PartitionKey = ChangeKeys.PartitionKey(ChangeKeys.StampOf(key)),
        RowKey = key,
        CallId = version.CallId,
        ChangeKind = version.ChangeKind ?? ChangeKinds.Rescored,
        ChangedAt = ChangeKeys.StampOf(key),
        Status = version.IsErased ? null : version.Status,
        OverallScore = version.OverallScore,
        ScoredAt = version.ScoredAt,
        AthosUpdatedAt = version.AthosUpdatedAt,
        ExternalUserId = version.ExternalUserId,
        AgentId = version.AgentId,
    };

    private static ChangeRow Void(string callId, string key) => new()
    {
        PartitionKey = ChangeKeys.PartitionKey(ChangeKeys.StampOf(key)),
        RowKey = key,
        CallId = callId,
        ChangeKind = ChangeKinds.Void,
        ChangedAt = ChangeKeys.StampOf(key),
    };
}
