using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Roster;

/// <summary>
/// Mirrors Athos's roster into <c>AthosAgents</c> on <c>ATHOS_ROSTER_SCHEDULE</c>, one instance at a time (a lease
/// lock of its own): pages the whole of <c>GET /agents</c> (⌈n/100⌉ requests), writes only the rows that differ from
/// what is stored, marks agents Athos no longer lists as removed (with when), and deletes removed agents past
/// <c>ATHOS_ROSTER_REMOVED_RETENTION</c>. Skipped, with the reason in <c>status</c>, on a tenant Athos shows is on the
/// early contract, which has no roster.
/// </summary>
internal sealed partial class RosterSync(
    AthosClient athos,
    TableServiceClient tables,
    LeaseLock locks,
    ReconcileStateStore contract,
    RosterState state,
    KnownAgents known,
    IOptions<RosterOptions> options,
    TimeProvider time,
    ILogger<RosterSync> logger)
{
    internal const string LockName = "roster";

    // As many as the reconciler's point reads (ATHOS_RECONCILE_PARALLELISM's default): a first sync of 10,000 reps is
    // 10,000 writes.
    private const int WritesInFlight = 16;

    internal const string EarlyContractReason = "the tenant is on Athos's early contract, which has no roster (GET /agents)";

    private readonly TableClient _agents = tables.GetTableClient(StorageNames.AgentsTable);

    /// <summary>Runs one sync and records it; returns it, or <see langword="null"/> when another instance holds the lock.</summary>
    public async Task<RosterRun?> RunAsync(CancellationToken cancellationToken = default)
    {
        await using var held = await locks.TryAcquireAsync(LockName, cancellationToken);
        if (held is null)
        {
            return null;
        }

        var started = time.GetUtcNow();
        RosterRun run;
        if ((await contract.GetAsync(cancellationToken)).Contract == AthosContract.Early)
        {
            run = new RosterRun(RosterRun.Skipped, started, started, EarlyContractReason, 0, 0, 0, 0, 0);
            Log.Skipped(logger, EarlyContractReason);
        }
        else
        {
            run = await SyncAsync(started, cancellationToken);
        }

        await state.SaveAsync(run, cancellationToken);
        return run;
    }

    private async Task<RosterRun> SyncAsync(DateTimeOffset started, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var pages = 0;
        try
        {
            var mirror = new Dictionary<string, AgentRow>(StringComparer.Ordinal);
            await foreach (var row in _agents.QueryAsync<AgentRow>(cancellationToken: cancellationToken))
            {
                mirror[row.AgentId] = row;
            }

            var purged = await PurgeAsync(mirror, started - settings.RemovedRetention, cancellationToken);
            var listed = new HashSet<string>(StringComparer.Ordinal);
            var written = 0;
            var cursors = new HashSet<string>(StringComparer.Ordinal);
            string? cursor = null;
            do
            {
                var page = await athos.ListAgentsPageAsync(cursor, cancellationToken: cancellationToken);
                pages++;
                var changed = new List<AgentRow>();
                foreach (var agent in page.Data)
                {
                    var fresh = AgentRow.From(agent, settings.MirrorNpn, started);
                    if (listed.Add(agent.Id) && !(mirror.TryGetValue(agent.Id, out var stored) && stored.Matches(fresh)))
                    {
                        changed.Add(fresh);
                        mirror[agent.Id] = fresh;
                    }
                }

                // Each rep is a partition of its own, so no batch can hold two: the page's writes go out side by side.
                await Parallel.ForEachAsync(changed, new ParallelOptions { MaxDegreeOfParallelism = WritesInFlight, CancellationToken = cancellationToken }, async (row, ct) =>
                    await _agents.UpsertEntityAsync(row, TableUpdateMode.Replace, ct));
                written += changed.Count;

                cursor = page.NextCursor;
                if (cursor is not null && !cursors.Add(cursor))
                {
                    throw new AthosApiException(AthosErrorKind.InvalidRequest, "Athos returned a roster cursor it had already returned in this listing; stopped rather than paging forever.", errorCode: PagingGuard.LoopCode);
                }
            }
            while (cursor is not null);

            var removed = 0;
            foreach (var row in mirror.Values.Where(r => r.RemovedAt is null && !listed.Contains(r.AgentId)))
            {
                // A merge of the one column: the rest of the row stays as Athos last listed it.
                await _agents.UpdateEntityAsync(new AgentRow { PartitionKey = row.PartitionKey, RemovedAt = started }, ETag.All, TableUpdateMode.Merge, cancellationToken);
                row.RemovedAt = started;
                removed++;
            }

            known.Replace(mirror.Keys);
            var ended = time.GetUtcNow();
            Log.Synced(logger, listed.Count, written, removed, purged, pages);
            return new RosterRun(RosterRun.Synced, started, ended, null, pages, listed.Count, written, removed, purged);
        }
        catch (AthosApiException ex) when (ex.Status == 404 && pages == 0)
        {
            // The endpoint itself is missing: a tenant whose contract nothing has shown yet, on the early one.
            var reason = $"Athos has no roster for this tenant ({ex.Message}); {EarlyContractReason}";
            Log.Skipped(logger, reason);
            return new RosterRun(RosterRun.Skipped, started, time.GetUtcNow(), reason, pages, 0, 0, 0, 0);
        }
        catch (Exception ex) when (ex is AthosApiException || ex.IsStorageFailure())
        {
            Log.Failed(logger, ex, pages);
            return new RosterRun(RosterRun.Failed, started, time.GetUtcNow(), ex.Message, pages, 0, 0, 0, 0);
        }
    }

    private async Task<int> PurgeAsync(Dictionary<string, AgentRow> mirror, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var purged = 0;
        foreach (var row in mirror.Values.Where(r => r.RemovedAt is { } removedAt && removedAt <= cutoff).ToList())
        {
            await _agents.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
            mirror.Remove(row.AgentId);
            purged++;
        }

        return purged;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RosterSynced, Level = LogLevel.Information, Message = "Roster synced: {Listed} agents listed, {Written} rows written, {Removed} marked removed, {Purged} removed agents deleted past retention ({Pages} Athos requests)")]
        public static partial void Synced(ILogger logger, int listed, int written, int removed, int purged, int pages);

        [LoggerMessage(EventId = LogEvents.RosterSkipped, Level = LogLevel.Information, Message = "Roster sync skipped: {Reason}")]
        public static partial void Skipped(ILogger logger, string reason);

        [LoggerMessage(EventId = LogEvents.RosterFailed, Level = LogLevel.Warning, Message = "Roster sync failed after {Pages} pages; the next scheduled run tries again")]
        public static partial void Failed(ILogger logger, Exception exception, int pages);
    }
}
