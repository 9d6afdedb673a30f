using Azure.Data.Tables;

namespace Athos.Webhooks.Reconciliation;

/// <summary>The version of a stored call the reconciler compares with Athos's list row.</summary>
internal readonly record struct StoredVersion(string Status, DateTimeOffset? ScoredAt);

/// <summary>
/// What <c>AthosCallsByDay</c> holds for an <c>endedAt</c> range, read by partition and row-key range (its keys are the
/// UTC day and the inverted time), with only the columns the comparison needs: a thousand calls per request, where
/// reading <c>AthosCalls</c> costs one request per call. Index rows end at the <c>AthosCalls</c> row's version once
/// writes settle (and a write still in flight has a queue message that finishes it); a listed call found nowhere in
/// the range (a failure indexed by when it failed, a call that ended outside it) is read from <c>AthosCalls</c>.
/// </summary>
internal sealed class StoredWindow(TableServiceClient tables)
{
    private static readonly string[] Columns = [nameof(CallRow.CallId), nameof(CallRow.Status), nameof(CallRow.ScoredAt)];

    private readonly TableClient _byDay = tables.GetTableClient(StorageNames.CallsByDayTable);

    /// <summary>Every indexed call that ended in [<paramref name="from"/>, <paramref name="to"/>], by call id.</summary>
    public async Task<Dictionary<string, StoredVersion>> ReadAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<string, StoredVersion>(StringComparer.Ordinal);
        // Newer times have smaller inverted keys; '`' sorts right after the '_' that follows the time.
        var newest = TableKeys.NewestFirstRowKey(to, string.Empty);
        var oldest = TableKeys.NewestFirstRowKey(from, string.Empty)[..^1] + "`";
        for (var day = from.UtcDateTime.Date; day <= to.UtcDateTime.Date; day = day.AddDays(1))
        {
            var partition = TableKeys.Day(new DateTimeOffset(day, TimeSpan.Zero));
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {newest} and RowKey lt {oldest}");
            await foreach (var row in _byDay.QueryAsync<CallRow>(filter, maxPerPage: 1000, select: Columns, cancellationToken: cancellationToken))
            {
                // A column the row lacks reads as CallRow's default: no call id (skipped), or status scored.
                if (row.CallId.Length > 0)
                {
                    stored[row.CallId] = new StoredVersion(row.Status, row.ScoredAt);
                }
            }
        }

        return stored;
    }
}
