using Azure.Data.Tables;

namespace Athos.Webhooks.Roster;

/// <summary>The last roster sync, kept in <c>AthosState</c> for <c>status</c>.</summary>
internal sealed class RosterState(TableServiceClient tables)
{
    private readonly TableClient _table = tables.GetTableClient(StorageNames.StateTable);

    /// <summary>The last run, or <see langword="null"/> before the first.</summary>
    public async Task<RosterRun?> GetAsync(CancellationToken cancellationToken = default)
    {
        if (await ReadAsync(cancellationToken) is not { Status: { } status, StartedAt: { } started } row)
        {
            return null;
        }

        return new RosterRun(status, started, row.EndedAt ?? started, row.Reason, row.Pages ?? 0, row.Listed ?? 0, row.Written ?? 0, row.Removed ?? 0, row.Purged ?? 0)
        {
            LastSyncedAt = row.LastSyncedAt,
        };
    }

    /// <summary>Records a run over the last one, whole (a run's reason must not outlive it), keeping the last success.</summary>
    public async Task SaveAsync(RosterRun run, CancellationToken cancellationToken = default)
    {
        // One sync at a time holds the lock, so the read and the write need no ETag between them.
        var last = await ReadAsync(cancellationToken);
        await _table.UpsertEntityAsync(
            new RosterStateRow
            {
                Status = run.Status,
                StartedAt = run.StartedAt,
                EndedAt = run.EndedAt,
                Reason = run.Reason,
                Pages = run.Pages,
                Listed = run.Listed,
                Written = run.Written,
                Removed = run.Removed,
                Purged = run.Purged,
                LastSyncedAt = run.Status == RosterRun.Synced ? run.EndedAt : last?.LastSyncedAt,
            },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    private async Task<RosterStateRow?> ReadAsync(CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<RosterStateRow>(RosterStateRow.Partition, RosterStateRow.Row, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }
}
