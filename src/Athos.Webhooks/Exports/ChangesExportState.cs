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
    /// Marks a rebuild owed (<see cref="ChangesExportStateRow.RebuildOwed"/>), or settles it once a rebuild succeeded;
    /// a write that meets another's retries on the row as it now is.
    /// </summary>
    public async Task MarkRebuildOwedAsync(bool owed, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var row = await GetAsync(cancellationToken);
            if (row.RebuildOwed == owed)
            {
                return;
            }

            row.RebuildOwed = owed;
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
