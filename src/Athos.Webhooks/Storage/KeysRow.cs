
namespace Athos.Webhooks.Storage;

/// <summary>
/// Any table's row read or written by its keys alone: a projection to delete or count rows (<c>select</c> the keys), or
/// a merge that sets no column, which only gives the row a new ETag.
/// </summary>
internal sealed class KeysRow : TableRow
{
    public static readonly string[] Columns = [nameof(PartitionKey), nameof(RowKey)];

}
