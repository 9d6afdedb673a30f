using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Erasure;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Writing;

namespace Athos.Webhooks.Enrichment;

/// <summary>What <c>verify --repair</c> did to one call, and what it still finds wrong afterwards.</summary>
internal sealed record CallRepair(string CallId, IReadOnlyList<string> Actions, IReadOnlyList<Discrepancy> Remaining);

/// <summary>
/// Repairs a call that <see cref="CallConsistencyChecker"/> found inconsistent, through the product's own write paths,
/// then checks it again.
/// </summary>
/// <remarks>
/// In order: a main row behind its archive blob (or missing) is re-projected from the blob, as <c>reproject</c> does; a
/// blob missing or behind the row is fetched from Athos again and archived (a newer version Athos has is then projected
/// too), or, for an erased call, deleted with its recording; the main row's change missing from <c>AthosCallChanges</c>
/// is appended as a retry of its writer would (<see cref="CallRowWriter.CompletePendingChangeAsync"/>: past the time to
/// write at its stamp, a void row takes the stamp and the change goes to a new one, so a reader already past the old
/// stamp still gets it); last, the index rows are made exactly what the main row says (<see cref="CallIndex.RepairAsync"/>:
/// none beside a tombstone), rows at other keys deleted. Only settled calls are repaired (never one in flight), so no
/// writer is overtaken.
/// </remarks>
internal sealed class CallConsistencyRepairer(CallConsistencyChecker checker, CallIndex index, CallRowWriter rows, CallReprojector reprojector, CallArchive archive, CallBlobEraser erasedBlobs, IOptions<EnrichmentOptions> options, Lazy<AthosClient> athos, TimeProvider time)
{
    public async Task<CallRepair> RepairAsync(CallConsistency found, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(found);
        try
        {
            return await RepairCallAsync(found, cancellationToken);
        }
        catch (StorageConflictException ex)
        {
            // Writers kept changing the call's rows: one is at work, and its write settles the call; verify again later.
            return new CallRepair(found.CallId, [$"not repaired: {ex.Message}"], found.Discrepancies);
        }
    }

    private async Task<CallRepair> RepairCallAsync(CallConsistency found, CancellationToken cancellationToken)
    {
        var callId = found.CallId;
        var actions = new List<string>();
        bool Has(string table, params DiscrepancyKind[] kinds) => found.Discrepancies.Any(d => d.Table == table && kinds.Contains(d.Kind));

        if (Has(StorageNames.CallsTable, DiscrepancyKind.Missing, DiscrepancyKind.Older))
        {
            var result = await reprojector.ProjectBlobAsync(callId, await rows.ReadAsync(callId, cancellationToken), cancellationToken);
            actions.Add(result switch
            {
                null => "could not re-project the row: the archive blob is not a call detail",
                RowWriteOutcome.Stored => $"re-projected {StorageNames.CallsTable} from the archive blob",
                _ => $"left {StorageNames.CallsTable} as it is: it is no longer behind the archive blob",
            });
        }

        if (Has(StorageNames.RawCallsContainer, DiscrepancyKind.Missing, DiscrepancyKind.Older))
        {
            actions.Add(await ArchiveAgainAsync(callId, cancellationToken));
        }

        if (Has(StorageNames.CallChangesTable, DiscrepancyKind.Missing))
        {
            actions.Add(await AppendChangeAsync(callId, cancellationToken));
        }

        if (Has(StorageNames.RawCallsContainer, DiscrepancyKind.Orphan))
        {
            // Only an erased call's blob is an orphan: it goes, with the recording, as forget would have taken it.
            var removed = new List<string>();
            await erasedBlobs.EraseAsync(callId, removed, [], cancellationToken);
            actions.AddRange(removed.Select(r => $"deleted {r} (the call is erased)"));
        }

        var changes = await index.RepairAsync(callId, found.IndexKeysSeen, cancellationToken);
        actions.AddRange(changes);

        var after = await checker.CheckCallAsync(callId, found.IndexKeysSeen, time.GetUtcNow(), cancellationToken);
        return new CallRepair(callId, actions, after.Discrepancies);
    }

    /// <summary>Appends the stored version's change to <c>AthosCallChanges</c>, at its stamp or, too late for that, at a new one.</summary>
    private async Task<string> AppendChangeAsync(string callId, CancellationToken cancellationToken)
    {
        // Read again: a repair above may have stored another version, whose own change reports the call.
        if (await rows.ReadAsync(callId, cancellationToken) is not { ChangeKey: { } key } stored)
        {
            return $"left {StorageNames.CallChangesTable} as it is: the call has no row with a change any more";
        }

        var change = $"{stored.ChangeKind} change";
        await rows.CompletePendingChangeAsync(stored, cancellationToken);
        return stored.ChangeKey == key
            ? $"appended the {change} to {StorageNames.CallChangesTable} at {key}"
            : $"appended the {change} to {StorageNames.CallChangesTable} at a new stamp, {stored.ChangeKey} (a void row holds {key}, too old to write at)";
    }

    /// <summary>Fetches the call's detail from Athos and archives it (forward only); a newer version is projected too.</summary>
    private async Task<string> ArchiveAgainAsync(string callId, CancellationToken cancellationToken)
    {
        if (await rows.ReadAsync(callId, cancellationToken) is { IsErased: true })
        {
            return "left the archive as it is: the call is erased";
        }

        CallDetailResponse response;
        try
        {
            // Resolved here, not injected: verify without this repair needs no Athos settings.
            response = await athos.Value.GetCallAsync(CallId.Parse(callId), cancellationToken);
        }
        catch (OptionsValidationException ex)
        {
            return $"could not fetch the detail from Athos to archive it again: {string.Join(" ", ex.Failures)}";
        }
        catch (AthosApiException ex)
        {
            return $"could not fetch the detail from Athos to archive it again: {ex.Message}";
        }

        var fetched = CallProjection.FromDetail(response.Call, response.RequestId, time.GetUtcNow());
        var version = CallVersion.Of(fetched);
        var body = CallProjection.ArchiveBody(response.RawJson, options.Value.StoreTranscripts);
        await archive.WriteAsync(callId, body, version, probablyExists: true, cancellationToken);
        var stored = await rows.ReadAsync(callId, cancellationToken);
        if (stored is not null && version.IsNewerThan(CallVersion.Of(stored)))
        {
            await reprojector.ProjectBlobAsync(callId, stored, cancellationToken);
            return $"archived Athos's detail again ({RowVersion.Describe(version)}, newer than the row: re-projected it)";
        }

        return $"archived Athos's detail again ({RowVersion.Describe(version)})";
    }
}
