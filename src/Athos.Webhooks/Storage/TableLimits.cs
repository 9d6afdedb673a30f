namespace Athos.Webhooks.Storage;

/// <summary>
/// Keeps a row inside Table Storage's limits (64 KiB per string property, 1 MiB per entity) whatever Athos sends:
/// long text is shortened and named in <see cref="CallRow.Truncated"/>; the archive blob keeps it whole.
/// </summary>
public static class TableLimits
{
    /// <summary>A string property holds at most 64 KiB of UTF-16: 32,768 characters. A margin is kept.</summary>
    public const int MaxStringLength = 32_000;

    private const string Marker = "…";

    public static void Enforce(CallRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var truncated = new List<string>();
        row.Summary = Shorten(row.Summary, nameof(CallRow.Summary), truncated);
        row.Feedback = Shorten(row.Feedback, nameof(CallRow.Feedback), truncated);
        row.FailureMessage = Shorten(row.FailureMessage, nameof(CallRow.FailureMessage), truncated);
        row.FailureReason = Shorten(row.FailureReason, nameof(CallRow.FailureReason), truncated);
        row.Source = Shorten(row.Source, nameof(CallRow.Source), truncated);
        row.ExternalUserId = Shorten(row.ExternalUserId, nameof(CallRow.ExternalUserId), truncated);
        row.ExternalAgencyId = Shorten(row.ExternalAgencyId, nameof(CallRow.ExternalAgencyId), truncated);
        row.DrillKey = Shorten(row.DrillKey, nameof(CallRow.DrillKey), truncated);
        row.AthosRequestId = Shorten(row.AthosRequestId, nameof(CallRow.AthosRequestId), truncated);

        // Half a JSON document is not JSON: an oversized score object is left to the blob entirely.
        if (row.ScoreJson is { Length: > MaxStringLength })
        {
            row.ScoreJson = null;
            truncated.Add(nameof(CallRow.ScoreJson));
        }

        row.Truncated = truncated.Count == 0 ? null : string.Join(',', truncated);
    }

    private static string? Shorten(string? value, string column, List<string> truncated)
    {
        if (value is null || value.Length <= MaxStringLength)
        {
            return value;
        }

        truncated.Add(column);
        var cut = MaxStringLength - Marker.Length;
        // Do not split a surrogate pair.
        if (char.IsHighSurrogate(value[cut - 1]))
        {
            cut--;
        }

        return string.Concat(value.AsSpan(0, cut), Marker);
    }
}
