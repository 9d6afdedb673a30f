using Azure.Data.Tables;

namespace Athos.Webhooks.Consumer;

/// <summary>Reads the call tables the way docs/schema.md tells consumers to (Storage Table Data Reader on them is enough).</summary>
/// <param name="tables">The storage account's table endpoint, with the reader's credential.</param>
public sealed class CallReader(TableServiceClient tables)
{
    private readonly TableClient _calls = tables.GetTableClient(StorageNames.CallsTable);
    private readonly TableClient _byUser = tables.GetTableClient(StorageNames.CallsByUserTable);
    private readonly TableClient _byDay = tables.GetTableClient(StorageNames.CallsByDayTable);

    /// <summary>The stored call, or null: none stored, or erased (a tombstone is no call).</summary>
    public async Task<CallRow?> GetAsync(string callId, CancellationToken cancellationToken = default) =>
        await ReadRowAsync(callId, cancellationToken) is { Status: not CallStatus.Erased } row ? row : null;

    /// <summary>
    /// The <c>AthosCalls</c> row as stored, or null: a tombstone included (<see cref="CallRow.Status"/> is
    /// <see cref="CallStatus.Erased"/>), which tells an erased call from one never stored.
    /// </summary>
    public async Task<CallRow?> ReadRowAsync(string callId, CancellationToken cancellationToken = default)
    {
        var row = await _calls.GetEntityIfExistsAsync<CallRow>(callId, string.Empty, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>A rep's latest calls, newest first: <paramref name="repId"/> is the customer's id, or Athos's <c>agentId</c> for a rep without one.</summary>
    public Task<List<CallRow>> ByRepAsync(string repId, int top, CancellationToken cancellationToken = default) =>
        TableKeys.UserPartition(repId) is { } partition
            ? TakeAsync(_byUser, TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), top, cancellationToken)
            : Task.FromResult(new List<CallRow>());

    /// <summary>A UTC day's calls, newest first.</summary>
    public Task<List<CallRow>> ByDayAsync(DateOnly day, int top, CancellationToken cancellationToken = default) =>
        TakeAsync(_byDay, TableClient.CreateQueryFilter($"PartitionKey eq {Day(day)}"), top, cancellationToken);

    /// <summary>An agency's calls between two UTC days (inclusive), newest day first.</summary>
    public async Task<List<CallRow>> ByAgencyAsync(string externalAgencyId, DateOnly from, DateOnly to, int top, CancellationToken cancellationToken = default)
    {
        var rows = await TakeAsync(_byDay, TableClient.CreateQueryFilter($"PartitionKey ge {Day(from)} and PartitionKey le {Day(to)} and ExternalAgencyId eq {externalAgencyId}"), int.MaxValue, cancellationToken);
        return [.. rows.OrderByDescending(r => r.PartitionKey, StringComparer.Ordinal).ThenBy(r => r.RowKey, StringComparer.Ordinal).Take(top)];
    }

    private static string Day(DateOnly day) => TableKeys.Day(new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));

    private static async Task<List<CallRow>> TakeAsync(TableClient table, string filter, int top, CancellationToken cancellationToken)
    {
        var rows = new List<CallRow>();
        await foreach (var row in table.QueryAsync<CallRow>(filter, maxPerPage: Math.Min(top, 1000), cancellationToken: cancellationToken))
        {
            rows.Add(row);
            if (rows.Count == top)
            {
                break;
            }
        }

        return rows;
    }
}
