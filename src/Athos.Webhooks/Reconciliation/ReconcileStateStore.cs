using System.Net;
using System.Text.Json;
using Athos.Webhooks.AthosApi;
using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// The reconciler's own state in <c>AthosState</c> (<c>PartitionKey</c> = <c>reconcile</c>, <c>RowKey</c> = <c>state</c>):
/// a watermark per call source, the contract Athos was last seen speaking, the last successful run and the last run's
/// summary.
/// </summary>
internal sealed class ReconcileStateStore(TableServiceClient tables)
{
    private readonly TableClient _table = tables.GetTableClient(StorageNames.StateTable);

    public async Task<ReconcileState> GetAsync(CancellationToken cancellationToken = default)
    {
        if (await ReadAsync(cancellationToken) is not { } row)
        {
            return ReconcileState.Empty;
        }

        var watermarks = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var source in CallSources.All)
        {
            if (row.WatermarkOf(source) is { } watermark)
            {
                watermarks[source] = watermark;
            }
        }

        return new ReconcileState(
            watermarks,
            row.LastSuccessAt,
            row.LastPurgeAt,
            row.LastRunStatus is { } status ? ReconcileOutcomeNames.Names.Parse(status) : null,
            ContractOf(row));
    }

    /// <summary>The last run's summary and the last success, as <see cref="SaveRunAsync"/> wrote them.</summary>
    public async Task<ReconcileSummary> GetSummaryAsync(CancellationToken cancellationToken = default)
    {
        if (await ReadAsync(cancellationToken) is not { } row)
        {
            return ReconcileSummary.None;
        }

        var contract = ContractOf(row);
        return new ReconcileSummary
        {
            LastSuccessAt = row.LastSuccessAt,
            Contract = contract,
            LastRun = row is { LastRunStatus: { } status, LastRunStartedAt: { } started }
                ? new ReconcileRun
                {
                    Status = ReconcileOutcomeNames.Names.Parse(status),
                    StartedAt = started,
                    EndedAt = row.LastRunEndedAt,
                    From = row.LastRunFrom,
                    To = row.LastRunTo,
                    Pages = row.LastRunPages ?? 0,
                    Listed = row.LastRunListed ?? 0,
                    Missing = row.LastRunMissing ?? 0,
                    Stale = row.LastRunStale ?? 0,
                    Queued = row.LastRunQueued ?? 0,
                    Pending = row.LastRunPending ?? 0,
                    SkippedIds = row.LastRunSkippedIds ?? 0,
                    AthosRequests = row.LastRunAthosRequests ?? 0,
                    Errors = row.LastRunErrors ?? 0,
                    Error = row.LastRunError,
                    Contract = contract,
                    Sources = row.LastRunSources is { Length: > 0 } sources
                        ? JsonSerializer.Deserialize(sources, ReconcileJsonContext.Default.IReadOnlyListSourceRun) ?? []
                        : [],
                }
                : null,
        };
    }

    /// <summary>
    /// Records a run: its columns replace the last run's, all of them, and each source that succeeded moves its
    /// watermark to the run's start.
    /// </summary>
    /// <remarks>
    /// A merge cannot remove a column (the Table service ignores a null on a merge), so a run without an error, a window
    /// or an end would leave the previous run's beside its own. The row is read, its last-run columns set, and written
    /// back whole if no other writer (a watermark, the contract, a purge) changed it in between (its ETag); else read again.
    /// </remarks>
    public async Task SaveRunAsync(ReconcileRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);

        // Writers of other columns merge rarely (a watermark, the contract, a purge); a few attempts always suffice,
        // and a row that keeps changing under us is a fault to surface, not to spin on.
        const int Attempts = 10;
        for (var attempt = 1; ; attempt++)
        {
            var row = await ReadAsync(cancellationToken) ?? new ReconcileStateRow();
            Record(row, run);
            try
            {
                if (row.ETag == default)
                {
                    await _table.AddEntityAsync(row, cancellationToken);
                }
                else
                {
                    await _table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                return;
            }
            catch (RequestFailedException ex) when (ex.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound && attempt < Attempts)
            {
                // Another writer got there first (or the row was deleted): read what is there and record the run on top of it.
            }
        }
    }

    /// <summary>
    /// Saves how far a source's window is covered, after each chunk of a run, so that a run cut short (its budget, or the
    /// host killing it) keeps its progress.
    /// </summary>
    public async Task SaveWatermarkAsync(string source, DateTimeOffset watermark, CancellationToken cancellationToken = default)
    {
        var row = new ReconcileStateRow();
        row.SetWatermark(source, watermark);
        await MergeAsync(row, cancellationToken);
    }

    /// <summary>Records the contract Athos was seen speaking (by enrichment, which sees every detail).</summary>
    public async Task SaveContractAsync(AthosContract contract, CancellationToken cancellationToken = default) =>
        await MergeAsync(new ReconcileStateRow { Contract = contract.ToStorageName() }, cancellationToken);

    public async Task SavePurgeAsync(DateTimeOffset purgedAt, CancellationToken cancellationToken = default) =>
        await MergeAsync(new ReconcileStateRow { LastPurgeAt = purgedAt }, cancellationToken);

    private static void Record(ReconcileStateRow row, ReconcileRun run)
    {
        row.LastRunStatus = ReconcileOutcomeNames.Names.NameOf(run.Status);
        row.LastRunStartedAt = run.StartedAt;
        row.LastRunEndedAt = run.EndedAt;
        row.LastRunFrom = run.From;
        row.LastRunTo = run.To;
        row.LastRunPages = run.Pages;
        row.LastRunListed = run.Listed;
        row.LastRunMissing = run.Missing;
        row.LastRunStale = run.Stale;
        row.LastRunQueued = run.Queued;
        row.LastRunPending = run.Pending;
        row.LastRunSkippedIds = run.SkippedIds;
        row.LastRunAthosRequests = run.AthosRequests;
        row.LastRunErrors = run.Errors;
        row.LastRunError = run.Error;
        row.LastRunSources = JsonSerializer.Serialize(run.Sources, ReconcileJsonContext.Default.IReadOnlyListSourceRun);
        row.Contract = run.Contract?.ToStorageName() ?? row.Contract;
        foreach (var source in run.Sources.Where(s => s.Status == ReconcileOutcome.Succeeded))
        {
            row.SetWatermark(source.Source, run.StartedAt);
        }

        // A partial run is progress: the reconciler works, it is catching up.
        if (run.Status is ReconcileOutcome.Succeeded or ReconcileOutcome.Partial)
        {
            row.LastSuccessAt = run.EndedAt ?? row.LastSuccessAt;
        }
    }

    private static AthosContract? ContractOf(ReconcileStateRow row) =>
        row.Contract is { } name ? AthosContractNames.Parse(name) : null;

    private async Task<ReconcileStateRow?> ReadAsync(CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<ReconcileStateRow>(ReconcileStateRow.Partition, ReconcileStateRow.Row, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    // Every writer but a run merges: the columns left null are left out, so the other writers' columns stay as they are.
    private async Task MergeAsync(ReconcileStateRow row, CancellationToken cancellationToken) =>
        await _table.UpsertEntityAsync(row, TableUpdateMode.Merge, cancellationToken);
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
