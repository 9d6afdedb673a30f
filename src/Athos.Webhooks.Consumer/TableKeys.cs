using System.Globalization;
using System.Text;

namespace Athos.Webhooks.Consumer;

/// <summary>The key schemes of the call tables (docs/schema.md), in one place: the product writes with them, a consumer queries with them.</summary>
public static class TableKeys
{
    /// <summary>Longer rep ids are not indexed by rep (Table Storage keys are at most 1 KiB).</summary>
    public const int MaxPartitionKeyLength = 256;

    /// <summary>
    /// Index <c>RowKey</c>: <c>DateTime.MaxValue.Ticks − time.Ticks</c> as 19 digits, then <c>_</c> and the call id,
    /// so that a partition reads newest first and two calls at the same instant stay distinct.
    /// </summary>
    public static string NewestFirstRowKey(DateTimeOffset time, string callId) =>
        (DateTime.MaxValue.Ticks - time.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "_" + callId;

    /// <summary><c>AthosCallsByDay</c> partition: the UTC date, <c>yyyy-MM-dd</c>.</summary>
    public static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// A rep id (the customer's own, else Athos's <c>agentId</c>) as a partition key: characters Table Storage refuses
    /// in keys (<c>/ \ # ?</c>, control characters) and <c>%</c> itself are percent-encoded; anything else is kept as is.
    /// <see langword="null"/> when not indexable.
    /// </summary>
    public static string? UserPartition(string? repId)
    {
        if (string.IsNullOrEmpty(repId) || repId.Length > MaxPartitionKeyLength)
        {
            return null;
        }

        if (!repId.Any(NeedsEscape))
        {
            return repId;
        }

        var escaped = new StringBuilder(repId.Length + 8);
        foreach (var c in repId)
        {
            if (NeedsEscape(c))
            {
                foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
                {
                    escaped.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                }
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }

    private static bool NeedsEscape(char c) => c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c);
}
