namespace Athos.Webhooks.Storage;

/// <summary>
/// Which of two versions of a call is newer: any score beats a failure; scores compare <c>scoredAt</c>, then
/// <c>updatedAt</c>; failures compare when they were reported. A missing time is older than any time.
/// </summary>
internal readonly record struct CallVersion(bool IsScored, DateTimeOffset? ScoredAt, DateTimeOffset? UpdatedAt, DateTimeOffset? FailedAt)
    : IComparable<CallVersion>
{
    public static CallVersion Scored(DateTimeOffset? scoredAt, DateTimeOffset? updatedAt) => new(IsScored: true, scoredAt, updatedAt, FailedAt: null);

    public static CallVersion Of(CallRow row) => row.Status == CallStatus.Scored
        ? Scored(row.ScoredAt, row.AthosUpdatedAt)
        : new CallVersion(IsScored: false, ScoredAt: null, UpdatedAt: null, row.FailedAt);

    public int CompareTo(CallVersion other)
    {
        if (IsScored != other.IsScored)
        {
            return IsScored ? 1 : -1;
        }

        return IsScored
            ? Compare(ScoredAt, other.ScoredAt) is var byScore and not 0 ? byScore : Compare(UpdatedAt, other.UpdatedAt)
            : Compare(FailedAt, other.FailedAt);
    }

    public bool IsNewerThan(CallVersion other) => CompareTo(other) > 0;

    // IComparable's operators (CA1036), so that a comparison reads the same here as on RowVersion.
    public static bool operator <(CallVersion left, CallVersion right) => left.CompareTo(right) < 0;

    public static bool operator <=(CallVersion left, CallVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >(CallVersion left, CallVersion right) => left.CompareTo(right) > 0;

    public static bool operator >=(CallVersion left, CallVersion right) => left.CompareTo(right) >= 0;

    private static int Compare(DateTimeOffset? a, DateTimeOffset? b) => (a, b) switch
    {
        (null, null) => 0,
        (null, _) => -1,
        (_, null) => 1,
        _ => a.Value.CompareTo(b.Value),
    };
}
