using System.Globalization;

namespace Athos.Webhooks.Storage;

/// <summary>
/// The order in which stored contents of a call replace one another, in <c>AthosCalls</c> and in the index rows alike:
/// the call's version (<see cref="CallVersion"/>: any score beats a failure; scores compare <c>scoredAt</c>, then
/// <c>updatedAt</c>), then, for the same version, the <see cref="CallRow.SchemaVersion"/> it was written under, so that
/// a row from an older schema is rewritten to gain the new columns. Every row carries it in its own columns
/// (<c>Status</c>, <c>ScoredAt</c>, <c>AthosUpdatedAt</c>, <c>FailedAt</c>, <c>SchemaVersion</c>).
/// </summary>
internal readonly record struct RowVersion(CallVersion Call, int SchemaVersion) : IComparable<RowVersion>
{
    public static RowVersion Of(CallRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new RowVersion(CallVersion.Of(row), row.SchemaVersion);
    }

    public int CompareTo(RowVersion other) =>
        Call.CompareTo(other.Call) is var byCall and not 0 ? byCall : SchemaVersion.CompareTo(other.SchemaVersion);

    public static bool operator <(RowVersion left, RowVersion right) => left.CompareTo(right) < 0;

    public static bool operator <=(RowVersion left, RowVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >(RowVersion left, RowVersion right) => left.CompareTo(right) > 0;

    public static bool operator >=(RowVersion left, RowVersion right) => left.CompareTo(right) >= 0;

    /// <summary>For people: <c>scored 2026-06-05T14:41:00Z (updated …), schema 2</c> or <c>failed …, schema 2</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Describe(Call)}, schema {SchemaVersion}");

    /// <summary>A call version for people: <c>scored 2026-06-05T14:41:00Z (updated …)</c> or <c>failed …</c>.</summary>
    public static string Describe(CallVersion version) => version.IsScored
        ? $"scored {Format(version.ScoredAt)} (updated {Format(version.UpdatedAt)})"
        : $"failed {Format(version.FailedAt)}";

    private static string Format(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture) ?? "never";
}
