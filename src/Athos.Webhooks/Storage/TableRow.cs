using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Storage;

/// <summary>
/// What every typed row has: its keys, and the service's timestamp and ETag. A row type with a fixed partition or row
/// names it in its constructor; the others are given their keys where they are written.
/// </summary>
internal abstract class TableRow(string partitionKey = "", string rowKey = "") : ITableEntity
{
    public string PartitionKey { get; set; } = partitionKey;

    public string RowKey { get; set; } = rowKey;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }
}
