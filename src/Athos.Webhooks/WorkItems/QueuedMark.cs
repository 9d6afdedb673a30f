using Athos.Webhooks.Storage;

namespace Athos.Webhooks.WorkItems;

/// <summary>
/// A call on the queue that is not processed yet, as <see cref="QueuedCalls"/> stores it in <c>AthosState</c>
/// (<c>PartitionKey</c> = <c>queued</c>, <c>RowKey</c> = call id).
/// </summary>
internal sealed class QueuedMark() : TableRow(QueuedCalls.Partition)
{
    /// <summary>Who queued it (a <c>WorkOrigin</c>'s stored name).</summary>
    public string? Origin { get; set; }

    public DateTimeOffset? QueuedAt { get; set; }

    /// <summary>Until when the mark holds: the item's expected start plus <see cref="QueuedCalls.Hold"/>.</summary>
    public DateTimeOffset? ExpectedBy { get; set; }
}
