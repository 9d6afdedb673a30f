using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Erasure;

/// <summary>
/// The list of tombstones, in <c>AthosState</c> (<c>PartitionKey</c> = <c>erased</c>, <c>RowKey</c> = call id), so that
/// the daily housekeeping finds them without scanning <c>AthosCalls</c>: to delete the change rows a writer may still
/// append just after the erasure, and to lift each tombstone once <c>ATHOS_ERASURE_TOMBSTONE_RETENTION</c> has passed.
/// Written before the tombstone, deleted after it.
/// </summary>
internal sealed class ErasedCallRow() : TableRow(Partition)
{
    public const string Partition = "erased";

    /// <summary>When the tombstone was laid (its <c>ErasedAt</c>).</summary>
    public DateTimeOffset ErasedAt { get; set; }

    /// <summary>Whether the housekeeping has deleted the change rows appended late (<see cref="Tombstones.SweepLateChangesAsync"/>).</summary>
    public bool LateChangesSwept { get; set; }
}
