using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Exports;

/// <summary>
/// Reads and writes <see cref="ChangesExportStateRow"/>. Only the export run writes it, under its lease; the writes are
/// still conditional on the row's ETag, so that a run that lost its lease (storage unreachable for a minute) fails
/// rather than moving a checkpoint another run moved.
/// </summary>
internal sealed class ChangesExportState(TableServiceClient tables)
{
    private readonly TableClient _table = tables.GetTableClient(StorageNames.StateTable);

    /// <summary>The row, or a new one (no ETag) before the first run.</summary>
    public async Task<ChangesExportStateRow> GetAsync(CancellationToken cancellationToken)
    {
        var found = await _table.GetEntityIfExistsAsync<ChangesExportStateRow>(ChangesExportStateRow.Partition, ChangesExportStateRow.Row, cancellationToken: cancellationToken);
        return found.HasValue ? found.Value! : new ChangesExportStateRow();
    }

    /// <summary>
    /// Owes a rebuild (<see cref="ChangesExportStateRow.RebuildOwed"/>). The row is written even when one is owed
    /// already: a rebuild under way settles only the row as it read it before it began, so this debt outlives it.
    /// </summary>
    public async Task OweRebuildAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var row = await GetAsync(cancellationToken);
            row.RebuildOwed = true;
            try
            {
                await SaveAsync(row, cancellationToken);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 5)
            {
            }
        }
    }

    /// <summary>
    /// Settles the debt a rebuild paid: <paramref name="before"/> is the row read before the rebuild began, and it is
    /// cleared only if no one wrote the row since (an erasure owed meanwhile stays owed, for the next run).
    /// </summary>
    public async Task SettleRebuildAsync(ChangesExportStateRow before, CancellationToken cancellationToken)
    {
        before.RebuildOwed = false;
        try
        {
            await SaveAsync(before, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            before.RebuildOwed = true;
        }
    }

    /// <summary>Writes <paramref name="row"/> whole, if it is still the version read; returns it with its new ETag.</summary>
    public async Task<ChangesExportStateRow> SaveAsync(ChangesExportStateRow row, CancellationToken cancellationToken)
    {
        var response = row.ETag == default
            ? await _table.AddEntityAsync(row, cancellationToken)
            : await _table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
        row.ETag = response.Headers.ETag ?? default;
        return row;
    }
}
