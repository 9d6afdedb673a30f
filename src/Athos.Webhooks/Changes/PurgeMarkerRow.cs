using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Changes;

/// <summary>
/// The purge watermark in <c>AthosCallChanges</c> (<c>PartitionKey</c> = <c>purged</c>, <c>RowKey</c> = ""): changes
/// stamped before <see cref="PurgedBefore"/> may have been deleted (<see cref="CallChangeRetention"/>).
/// </summary>
internal sealed class PurgeMarkerRow : ITableEntity
{
    public string PartitionKey { get; set; } = ChangeKeys.PurgePartition;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public DateTimeOffset? PurgedBefore { get; set; }
}
