namespace Athos.Webhooks.Storage;

/// <summary>
/// Keeps a row inside Table Storage's limits (64 KiB per string property, 1 MiB per entity) whatever Athos sends:
/// long text is shortened and named in <see cref="CallRow.Truncated"/>; the archive blob keeps it whole.
/// </summary>
internal static class TableLimits
{
    /// <summary>A string property holds at most 64 KiB of UTF-16: 32,768 characters. A margin is kept.</summary>
    public const int MaxStringLength = 32_000;

    private const string Marker = "…";

    /// <summary>
    /// The free-text columns that may be shortened, declared once, in the order they are checked: that order is the
    /// order their names take in the stored <see cref="CallRow.Truncated"/> value (<c>Summary,Feedback,…</c>), so it
    /// must not change. <c>ScoreJson</c> is not shortened but dropped (below), and named last.
    /// </summary>
    private static readonly (string Name, Func<CallRow, string?> Get, Action<CallRow, string?> Set)[] TextColumns =
    [
        (nameof(CallRow.Summary), r => r.Summary, (r, v) => r.Summary = v),
        (nameof(CallRow.Feedback), r => r.Feedback, (r, v) => r.Feedback = v),
        (nameof(CallRow.FailureMessage), r => r.FailureMessage, (r, v) => r.FailureMessage = v),
        (nameof(CallRow.FailureReason), r => r.FailureReason, (r, v) => r.FailureReason = v),
        (nameof(CallRow.Source), r => r.Source, (r, v) => r.Source = v),
        (nameof(CallRow.ExternalUserId), r => r.ExternalUserId, (r, v) => r.ExternalUserId = v),
        (nameof(CallRow.ExternalAgencyId), r => r.ExternalAgencyId, (r, v) => r.ExternalAgencyId = v),
        (nameof(CallRow.DrillKey), r => r.DrillKey, (r, v) => r.DrillKey = v),
        (nameof(CallRow.AthosRequestId), r => r.AthosRequestId, (r, v) => r.AthosRequestId = v),
    ];

    public static void Enforce(CallRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var truncated = new List<string>();
        foreach (var (name, get, set) in TextColumns)
        {
            set(row, Shorten(get(row), name, truncated));
        }

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
