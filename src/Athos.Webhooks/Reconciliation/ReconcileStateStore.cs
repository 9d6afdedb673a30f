using System.Text.Json;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;
using Azure.Data.Tables;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// The reconciler's own state in <c>AthosState</c> (<c>PartitionKey</c> = <c>reconcile</c>, <c>RowKey</c> = <c>state</c>):
/// a watermark per call source, the contract Athos was last seen speaking, the last successful run and the last run's
/// summary.
/// </summary>
internal sealed class ReconcileStateStore(TableServiceClient tables)
{
    private const string Partition = "reconcile";
    private const string Row = "state";
    private const string ContractColumn = "Contract";

    private readonly TableClient _table = tables.GetTableClient(StorageNames.StateTable);

    /// <summary>
    /// The column holding a source's watermark. Roleplay keeps the name <c>Watermark</c> it had when it was the only
    /// source, so an upgraded deployment carries on where it stood.
    /// </summary>
    public static string WatermarkColumn(string source) => source switch
    {
        CallSources.Roleplay => "Watermark",
        CallSources.RealCall => "WatermarkRealCall",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Not a known call source."),
    };

    public async Task<ReconcileState> GetAsync(CancellationToken cancellationToken = default)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken);
        if (!response.HasValue)
        {
            return ReconcileState.Empty;
        }

        var entity = response.Value!;
        var watermarks = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var source in CallSources.All)
        {
            if (entity.GetDateTimeOffset(WatermarkColumn(source)) is { } watermark)
            {
                watermarks[source] = watermark;
            }
        }

        return new ReconcileState(
            watermarks,
            entity.GetDateTimeOffset("LastSuccessAt"),
            entity.GetDateTimeOffset("LastPurgeAt"),
            entity.GetString("LastRunStatus") is { } status ? ReconcileOutcomeNames.Names.Parse(status) : null,
            entity.GetString(ContractColumn) is { } contract ? AthosContractNames.Parse(contract) : null);
    }

    /// <summary>The last run's summary and the last success, as <see cref="SaveRunAsync"/> wrote them.</summary>
    public async Task<ReconcileSummary> GetSummaryAsync(CancellationToken cancellationToken = default)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken);
        if (!response.HasValue)
        {
            return ReconcileSummary.None;
        }

        var entity = response.Value!;
        var contract = entity.GetString(ContractColumn) is { } name ? AthosContractNames.Parse(name) : (AthosContract?)null;
        return new ReconcileSummary
        {
            LastSuccessAt = entity.GetDateTimeOffset("LastSuccessAt"),
            Contract = contract,
            LastRun = entity.GetString("LastRunStatus") is { } status && entity.GetDateTimeOffset("LastRunStartedAt") is { } started
                ? new ReconcileRun
                {
                    Status = ReconcileOutcomeNames.Names.Parse(status),
                    StartedAt = started,
                    EndedAt = entity.GetDateTimeOffset("LastRunEndedAt"),
                    From = entity.GetDateTimeOffset("LastRunFrom"),
                    To = entity.GetDateTimeOffset("LastRunTo"),
                    Pages = entity.GetInt32("LastRunPages") ?? 0,
                    Listed = entity.GetInt32("LastRunListed") ?? 0,
                    Missing = entity.GetInt32("LastRunMissing") ?? 0,
                    Stale = entity.GetInt32("LastRunStale") ?? 0,
                    Queued = entity.GetInt32("LastRunQueued") ?? 0,
                    Pending = entity.GetInt32("LastRunPending") ?? 0,
                    SkippedIds = entity.GetInt32("LastRunSkippedIds") ?? 0,
                    AthosRequests = entity.GetInt32("LastRunAthosRequests") ?? 0,
                    Error = entity.GetString("LastRunError"),
                    Contract = contract,
                    Sources = entity.GetString("LastRunSources") is { Length: > 0 } sources
                        ? JsonSerializer.Deserialize(sources, ReconcileJsonContext.Default.IReadOnlyListSourceRun) ?? []
                        : [],
                }
                : null,
        };
    }

    /// <summary>Records a run: each source that succeeded moves its watermark to the run's start.</summary>
    public async Task SaveRunAsync(ReconcileRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var entity = new TableEntity(Partition, Row)
        {
            ["LastRunStatus"] = ReconcileOutcomeNames.Names.NameOf(run.Status),
            ["LastRunStartedAt"] = run.StartedAt,
            ["LastRunEndedAt"] = run.EndedAt,
            ["LastRunFrom"] = run.From,
            ["LastRunTo"] = run.To,
            ["LastRunPages"] = run.Pages,
            ["LastRunListed"] = run.Listed,
            ["LastRunMissing"] = run.Missing,
            ["LastRunStale"] = run.Stale,
            ["LastRunQueued"] = run.Queued,
            ["LastRunPending"] = run.Pending,
            ["LastRunSkippedIds"] = run.SkippedIds,
            ["LastRunAthosRequests"] = run.AthosRequests,
            ["LastRunErrors"] = run.Errors,
            ["LastRunError"] = run.Error,
            ["LastRunSources"] = JsonSerializer.Serialize(run.Sources, ReconcileJsonContext.Default.IReadOnlyListSourceRun),
        };

        if (run.Contract is { } contract)
        {
            entity[ContractColumn] = contract.ToStorageName();
        }

        foreach (var source in run.Sources.Where(s => s.Status == ReconcileOutcome.Succeeded))
        {
            entity[WatermarkColumn(source.Source)] = run.StartedAt;
        }

        // A partial run is progress: the reconciler works, it is catching up.
        if (run.Status is ReconcileOutcome.Succeeded or ReconcileOutcome.Partial)
        {
            entity["LastSuccessAt"] = run.EndedAt;
        }

        await _table.UpsertEntityAsync(entity, TableUpdateMode.Merge, cancellationToken);
    }

    /// <summary>
    /// Saves how far a source's window is covered, after each chunk of a run, so that a run cut short (its budget, or the
    /// host killing it) keeps its progress.
    /// </summary>
    public async Task SaveWatermarkAsync(string source, DateTimeOffset watermark, CancellationToken cancellationToken = default) =>
        await _table.UpsertEntityAsync(new TableEntity(Partition, Row) { [WatermarkColumn(source)] = watermark }, TableUpdateMode.Merge, cancellationToken);

    /// <summary>Records the contract Athos was seen speaking (by enrichment, which sees every detail).</summary>
    public async Task SaveContractAsync(AthosContract contract, CancellationToken cancellationToken = default) =>
        await _table.UpsertEntityAsync(new TableEntity(Partition, Row) { [ContractColumn] = contract.ToStorageName() }, TableUpdateMode.Merge, cancellationToken);

    public async Task SavePurgeAsync(DateTimeOffset purgedAt, CancellationToken cancellationToken = default) =>
        await _table.UpsertEntityAsync(new TableEntity(Partition, Row) { ["LastPurgeAt"] = purgedAt }, TableUpdateMode.Merge, cancellationToken);
}

/// <summary>
/// What the reconciler remembers between runs. <see cref="LastSuccessAt"/> is what health checks read;
/// <see cref="Contract"/> is <see langword="null"/> until Athos has shown which contract the tenant is on.
/// </summary>
internal sealed record ReconcileState(
    IReadOnlyDictionary<string, DateTimeOffset> Watermarks,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastPurgeAt,
    ReconcileOutcome? LastRunStatus,
    AthosContract? Contract)
{
    public static ReconcileState Empty { get; } = new(new Dictionary<string, DateTimeOffset>(), null, null, null, null);

    /// <summary>Where the last successful run of <paramref name="source"/> started, or <see langword="null"/>.</summary>
    public DateTimeOffset? WatermarkOf(string source) => Watermarks.TryGetValue(source, out var watermark) ? watermark : null;
}
