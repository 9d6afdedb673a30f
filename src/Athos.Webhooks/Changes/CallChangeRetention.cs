using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Changes;

/// <summary>
/// Deletes the changes older than <see cref="ChangeFeedOptions.Retention"/> (<c>ATHOS_CHANGE_RETENTION</c>), a whole
/// hour partition at a time; run by the daily <see cref="Reconciliation.Housekeeping"/>, beside the delivery ledger's purge.
/// </summary>
/// <remarks>
/// Before deleting, it raises the purge watermark (the row <c>purged</c> / <c>""</c>, column <c>PurgedBefore</c>), so
/// that a reader given a checkpoint from before it refuses it rather than silently skip what was deleted.
/// </remarks>
internal sealed partial class CallChangeRetention(TableServiceClient tables, IOptions<ChangeFeedOptions> options, ILogger<CallChangeRetention> logger)
{
    /// <summary>Kept beyond the retention, so that a reader's clock a little behind this one's never finds a hole.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromHours(1);

    private const int BatchSize = 100;

    private readonly TableClient _changes = tables.GetTableClient(StorageNames.CallChangesTable);

    /// <summary>Deletes the hour partitions that ended before <paramref name="now"/> − retention − <see cref="Grace"/>; returns how many rows.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var cutoff = now - options.Value.Retention - Grace;
        var before = new DateTimeOffset(cutoff.UtcDateTime.Year, cutoff.UtcDateTime.Month, cutoff.UtcDateTime.Day, cutoff.UtcDateTime.Hour, 0, 0, TimeSpan.Zero);
        await RaiseWatermarkAsync(before, cancellationToken);

        var deleted = 0;
        var batch = new List<TableTransactionAction>(BatchSize);
        var filter = TableClient.CreateQueryFilter($"PartitionKey lt {ChangeKeys.PartitionKey(before)}");
        await foreach (var row in _changes.QueryAsync<KeysRow>(filter, select: KeysRow.Columns, cancellationToken: cancellationToken))
        {
            if (batch.Count == BatchSize || (batch.Count > 0 && batch[0].Entity.PartitionKey != row.PartitionKey))
            {
                deleted += await DeleteAsync(batch, cancellationToken);
            }

            batch.Add(new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All));
        }

        deleted += await DeleteAsync(batch, cancellationToken);
        Log.Purged(logger, deleted, before);
        return deleted;
    }

    /// <summary>The time before which changes may have been deleted (null before the first purge), and the service's response.</summary>
    internal static async Task<(DateTimeOffset? PurgedBefore, Response Response)> WatermarkAsync(TableClient changes, CancellationToken cancellationToken)
    {
        var response = await changes.GetEntityIfExistsAsync<PurgeMarkerRow>(ChangeKeys.PurgePartition, string.Empty, cancellationToken: cancellationToken);
        return (response.HasValue ? response.Value!.PurgedBefore : null, response.GetRawResponse());
    }

    private async Task RaiseWatermarkAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        if ((await WatermarkAsync(_changes, cancellationToken)).PurgedBefore is { } current && current >= before)
        {
            return;
        }

        await _changes.UpsertEntityAsync(new PurgeMarkerRow { PurgedBefore = before }, TableUpdateMode.Replace, cancellationToken);
    }

    private async Task<int> DeleteAsync(List<TableTransactionAction> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        var count = batch.Count;
        try
        {
            await _changes.SubmitTransactionAsync(batch, cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 404)
        {
            // One of them went meanwhile (another purge): delete the rest one by one.
            count = 0;
            foreach (var action in batch)
            {
                try
                {
                    var response = await _changes.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, ETag.All, cancellationToken);
                    count += response.Status == 404 ? 0 : 1;
                }
                catch (RequestFailedException gone) when (gone.Status == 404)
                {
                }
            }
        }

        batch.Clear();
        return count;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ChangesPurged, Level = LogLevel.Information, Message = "Purged {Count} call changes stamped before {Before:o} (past ATHOS_CHANGE_RETENTION)")]
        public static partial void Purged(ILogger logger, int count, DateTimeOffset before);
    }
}
