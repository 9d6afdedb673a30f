using Athos.Webhooks.Storage;

namespace Athos.Webhooks.UnitTests;

/// <summary>Which of two stored contents of a call wins: the rule every write of every table follows.</summary>
public sealed class CallVersionTests
{
    private static readonly DateTimeOffset T = new(2026, 6, 5, 14, 40, 0, TimeSpan.Zero);

    // The cases are keyed by the rule they show: a theory's arguments must be public types, and CallVersion is internal.
    private static readonly Dictionary<string, (CallVersion Left, CallVersion Right, int Expected)> Cases = new()
    {
        ["a score beats a failure, even an older one"] = (CallVersion.Scored(T, T), new CallVersion(false, null, null, T.AddDays(1)), 1),
        ["a later scoredAt wins"] = (CallVersion.Scored(T.AddMinutes(1), T), CallVersion.Scored(T, T.AddDays(1)), 1),
        ["same scoredAt: a later updatedAt wins"] = (CallVersion.Scored(T, T.AddSeconds(1)), CallVersion.Scored(T, T), 1),
        ["the same version is equal"] = (CallVersion.Scored(T, T), CallVersion.Scored(T, T), 0),
        ["a missing scoredAt is older than any"] = (CallVersion.Scored(null, T.AddDays(9)), CallVersion.Scored(T, null), -1),
        ["a missing updatedAt is older than any"] = (CallVersion.Scored(T, null), CallVersion.Scored(T, T), -1),
        ["failures compare when they were reported"] = (new CallVersion(false, null, null, T.AddMinutes(1)), new CallVersion(false, null, null, T), 1),
        ["a failure never beats a score"] = (new CallVersion(false, null, null, T.AddYears(1)), CallVersion.Scored(null, null), -1),
    };

    public static TheoryData<string> Rules => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Rules))]
    public void Call_versions_order_as_the_storage_contract_says(string rule)
    {
        var (left, right, expected) = Cases[rule];
        Assert.True(Math.Sign(left.CompareTo(right)) == expected, rule);
        Assert.True(Math.Sign(right.CompareTo(left)) == -expected, rule + " (both ways)");
    }

    [Theory]
    [InlineData(1, 2, -1)]
    [InlineData(2, 2, 0)]
    [InlineData(2, 1, 1)]
    public void For_the_same_call_version_the_newer_schema_wins(int left, int right, int expected) =>
        Assert.Equal(expected, Math.Sign(new RowVersion(CallVersion.Scored(T, T), left).CompareTo(new RowVersion(CallVersion.Scored(T, T), right))));

    [Fact]
    public void A_newer_call_version_wins_whatever_its_schema() =>
        Assert.True(new RowVersion(CallVersion.Scored(T.AddSeconds(1), T), 1) > new RowVersion(CallVersion.Scored(T, T), 2));

    [Theory]
    [InlineData(CallStatus.Scored, true)]
    [InlineData(CallStatus.Failed, false)]
    public void A_row_s_version_comes_from_its_status_and_times(string status, bool scored)
    {
        var row = new CallRow { CallId = "athos_call_a", Status = status, ScoredAt = T, AthosUpdatedAt = T.AddSeconds(1), FailedAt = T.AddMinutes(2) };

        var version = CallVersion.Of(row);

        Assert.Equal(scored, version.IsScored);
        Assert.Equal(scored ? CallVersion.Scored(T, T.AddSeconds(1)) : new CallVersion(false, null, null, T.AddMinutes(2)), version);
    }
}
