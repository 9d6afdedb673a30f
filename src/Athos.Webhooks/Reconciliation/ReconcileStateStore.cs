using Athos.Webhooks.Storage;
using Azure.Data.Tables;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// The reconciler's own state in <c>AthosState</c> (<c>PartitionKey</c> = <c>reconcile</c>, <c>RowKey</c> = <c>state</c>):
/// the watermark, the last successful run and the last run's summary.
/// </summary>
public sealed class ReconcileStateStore(TableServiceClient tables)
{
    private const string Partition = "reconcile";
    private const string Row = "state";

    private readonly TableClient _table = tables.GetTableClient(StorageNames.StateTable);

    public async Task<ReconcileState> GetAsync(CancellationToken cancellationToken = default)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken);
        if (!response.HasValue)
        {
            return new ReconcileState(null, null, null, null);
        }

        var entity = response.Value!;
        return new ReconcileState(
            entity.GetDateTimeOffset("Watermark"),
            entity.GetDateTimeOffset("LastSuccessAt"),
            entity.GetDateTimeOffset("LastPurgeAt"),
            entity.GetString("LastRunStatus") is { } status ? Enum.Parse<ReconcileStatus>(status) : null);
    }

    /// <summary>Records a run; a successful one also moves the watermark to the run's start.</summary>
    public async Task SaveRunAsync(ReconcileRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var entity = new TableEntity(Partition, Row)
        {
            ["LastRunStatus"] = run.Status.ToString(),
            ["LastRunStartedAt"] = run.StartedAt,
            ["LastRunEndedAt"] = run.EndedAt,
            ["LastRunFrom"] = run.From,
            ["LastRunTo"] = run.To,
            ["LastRunPages"] = run.Pages,
            ["LastRunListed"] = run.Listed,
            ["LastRunMissing"] = run.Missing,
            ["LastRunStale"] = run.Stale,
            ["LastRunQueued"] = run.Queued,
            ["LastRunAthosRequests"] = run.AthosRequests,
            ["LastRunErrors"] = run.Errors,
            ["LastRunError"] = run.Error,
        };

        if (run.Status == ReconcileStatus.Succeeded)
        {
            entity["Watermark"] = run.StartedAt;
            entity["LastSuccessAt"] = run.EndedAt;
        }

        await _table.UpsertEntityAsync(entity, TableUpdateMode.Merge, cancellationToken);
    }

    public async Task SavePurgeAsync(DateTimeOffset purgedAt, CancellationToken cancellationToken = default) =>
        await _table.UpsertEntityAsync(new TableEntity(Partition, Row) { ["LastPurgeAt"] = purgedAt }, TableUpdateMode.Merge, cancellationToken);
}

/// <summary>What the reconciler remembers between runs; <see cref="LastSuccessAt"/> is what health checks read.</summary>
public sealed record ReconcileState(DateTimeOffset? Watermark, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastPurgeAt, ReconcileStatus? LastRunStatus);
