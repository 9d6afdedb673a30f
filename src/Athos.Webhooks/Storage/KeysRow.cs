using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Storage;

/// <summary>
/// Any table's row read or written by its keys alone: a projection to delete or count rows (<c>select</c> the keys), or
/// a merge that sets no column, which only gives the row a new ETag.
/// </summary>
internal sealed class KeysRow : ITableEntity
{
    public static readonly string[] Columns = [nameof(PartitionKey), nameof(RowKey)];

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }
}
