using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Changes;

/// <summary>
/// The purge watermark in <c>AthosCallChanges</c> (<c>PartitionKey</c> = <c>purged</c>, <c>RowKey</c> = ""): changes
/// stamped before <see cref="PurgedBefore"/> may have been deleted (<see cref="CallChangeRetention"/>).
/// </summary>
internal sealed class PurgeMarkerRow() : TableRow(ChangeKeys.PurgePartition)
{
    public DateTimeOffset? PurgedBefore { get; set; }
}
