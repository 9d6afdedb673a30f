using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Consumer;

/// <summary>
/// The purge watermark in <c>AthosCallChanges</c> (<c>PartitionKey</c> = <c>purged</c>, <c>RowKey</c> = ""): changes
/// stamped before <see cref="PurgedBefore"/> may have been deleted. The product's daily housekeeping raises it before it
/// deletes; <see cref="CallChangeFeed"/> refuses a checkpoint behind it.
/// </summary>
internal sealed class PurgeMarkerRow : ITableEntity
{
    /// <summary>Always <see cref="ChangeKeys.PurgePartition"/>, which sorts after every hour partition.</summary>
    public string PartitionKey { get; set; } = ChangeKeys.PurgePartition;

    /// <summary>Always empty.</summary>
    public string RowKey { get; set; } = string.Empty;

    /// <inheritdoc/>
    public DateTimeOffset? Timestamp { get; set; }

    /// <inheritdoc/>
    public ETag ETag { get; set; }

    /// <summary>The time before which changes may have been deleted; null before the first purge.</summary>
    public DateTimeOffset? PurgedBefore { get; set; }
}
