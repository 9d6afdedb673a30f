using System.Globalization;

namespace Athos.Webhooks.Consumer;

/// <summary>
/// The key scheme of <c>AthosCallChanges</c> (docs/schema.md), in one place: <c>PartitionKey</c> = the UTC hour of the
/// write stamp (<c>yyyy-MM-ddTHH</c>), <c>RowKey</c> = the stamp's UTC ticks as 19 digits, <c>_</c>, the call id. Row keys
/// therefore sort in stamp order across partitions, and a partition key is a function of its row keys.
/// </summary>
/// <remarks>
/// A checkpoint is a row-key bound: every change whose row key sorts after it is still to be read. It is either the
/// row key of the last change read, or a bare stamp (19 digits), which sorts before every row of that stamp and after
/// every earlier one.
/// </remarks>
internal static class ChangeKeys
{
    /// <summary>The row of the purge watermark: its partition sorts after every hour, its row key before every bound.</summary>
    public const string PurgePartition = "purged";

    private const int StampDigits = 19;

    /// <summary>The <c>RowKey</c> of <paramref name="callId"/>'s change stamped <paramref name="stamp"/>.</summary>
    public static string RowKey(DateTimeOffset stamp, string callId) => Bound(stamp) + "_" + callId;

    /// <summary>The <c>PartitionKey</c> of a change stamped <paramref name="stamp"/>: its UTC hour, <c>yyyy-MM-ddTHH</c>.</summary>
    public static string PartitionKey(DateTimeOffset stamp) => stamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture);

    /// <summary>A checkpoint at <paramref name="time"/>: the changes stamped at or after it are still to be read.</summary>
    public static string Bound(DateTimeOffset time) => time.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>The write stamp a row key or checkpoint starts with.</summary>
    public static DateTimeOffset StampOf(string key) =>
        new(long.Parse(key.AsSpan(0, StampDigits), NumberStyles.None, CultureInfo.InvariantCulture), TimeSpan.Zero);

    /// <summary>The stamp after <paramref name="previousKey"/>'s for the same call: now, or one tick later if a clock ahead of this one wrote it.</summary>
    public static DateTimeOffset NextStamp(string? previousKey, DateTimeOffset now)
    {
        if (previousKey is null || !IsCheckpoint(previousKey))
        {
            return now;
        }

        var after = StampOf(previousKey).AddTicks(1);
        return after > now ? after : now;
    }

    /// <summary>Whether <paramref name="text"/> is a checkpoint: 19 digits, optionally <c>_</c> and a call id.</summary>
    public static bool IsCheckpoint(string? text)
    {
        if (text is null || text.Length < StampDigits || !text.AsSpan(0, StampDigits).ContainsOnlyDigits()
            || !long.TryParse(text.AsSpan(0, StampDigits), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        return text.Length == StampDigits
            || (text[StampDigits] == '_' && text.Length > StampDigits + 1 && text.AsSpan(StampDigits + 1).ContainsOnlyIdCharacters());
    }

    private static bool ContainsOnlyDigits(this ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    // Call ids are athos_call_ + URL-safe characters (AthosApi.CallId); nothing else is ever written after the stamp.
    private static bool ContainsOnlyIdCharacters(this ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
