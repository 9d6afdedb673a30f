using System.Collections.Concurrent;
using System.Globalization;
using Athos.Webhooks.Storage;
using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// A row per reconcile run in <c>AthosState</c>, written when the run takes the lock and again when it ends, so that
/// every run's start, end and host are on record (the state row keeps only the last run's): two runs that overlapped,
/// whatever the lock did, would show. Purged by <see cref="Housekeeping"/> after <see cref="Retention"/>.
/// </summary>
internal sealed class ReconcileRunLog(TableServiceClient tables)
{
    /// <summary>How long runs stay on record: long enough to look back over a bad week.</summary>
    internal static readonly TimeSpan Retention = TimeSpan.FromDays(14);

    internal const string PartitionPrefix = "reconcile-runs-";

    // A Functions instance and a local runner alike: a process on a machine (each Flex Consumption instance is its own machine).
    internal static readonly string Instance = $"{Environment.MachineName}/{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";

    private readonly TableClient _table = tables.GetTableClient(StorageNames.StateTable);

    // Ends that could not be written (storage gone as the run ended), kept with the time each run ended until the next
    // run of this host, which needs storage anyway.
    private readonly ConcurrentQueue<ReconcileRunRow> _unwritten = new();

    /// <summary>
    /// Records a run that has just taken the lock (and first the ends of this host's earlier runs that storage could not
    /// take); its row is completed by <see cref="EndAsync"/>.
    /// </summary>
    public async Task<ReconcileRunRow> StartAsync(DateTimeOffset startedAt, CancellationToken cancellationToken = default)
    {
        while (_unwritten.TryPeek(out var ended))
        {
            await _table.UpsertEntityAsync(ended, TableUpdateMode.Replace, cancellationToken);
            _unwritten.TryDequeue(out _);
        }

        var row = new ReconcileRunRow
        {
            PartitionKey = PartitionOf(startedAt),
            RowKey = startedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfffffff", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N"),
            StartedAt = startedAt,
            InstanceId = Instance,
        };
        await _table.AddEntityAsync(row, cancellationToken);
        return row;
    }

    /// <summary>Completes a run's row; if storage is gone, the next <see cref="StartAsync"/> writes it.</summary>
    public async Task EndAsync(ReconcileRunRow run, ReconcileRun result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(result);
        run.EndedAt = result.EndedAt;
        run.Status = ReconcileOutcomeNames.Names.NameOf(result.Status);
        run.Sources = string.Join(",", result.Sources.Where(s => s.Status != ReconcileOutcome.Skipped).Select(s => s.Source));
        try
        {
            await _table.UpsertEntityAsync(run, TableUpdateMode.Replace, cancellationToken);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            _unwritten.Enqueue(run);
        }
    }

    /// <summary>The runs that started on or after <paramref name="since"/>'s UTC day, in the order they started.</summary>
    public async Task<IReadOnlyList<ReconcileRunRow>> ReadAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var runs = new List<ReconcileRunRow>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {PartitionOf(since)} and PartitionKey lt {PartitionPrefix + "~"}");
        await foreach (var run in _table.QueryAsync<ReconcileRunRow>(filter, cancellationToken: cancellationToken))
        {
            runs.Add(run);
        }

        return [.. runs.OrderBy(r => r.StartedAt)];
    }

    /// <summary>Deletes the runs of the days before <paramref name="now"/> − <see cref="Retention"/>; returns how many rows.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        // A few hundred rows a day at most (skipped runs are not recorded): one delete each is cheap enough.
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {PartitionPrefix} and PartitionKey lt {PartitionOf(now - Retention)}");
        var deleted = 0;
        await foreach (var row in _table.QueryAsync<KeysRow>(filter, select: KeysRow.Columns, cancellationToken: cancellationToken))
        {
            var response = await _table.DeleteEntityAsync(row, ETag.All, cancellationToken);
            deleted += response.Status == 404 ? 0 : 1;
        }

        return deleted;
    }

    private static string PartitionOf(DateTimeOffset at) => PartitionPrefix + at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}
