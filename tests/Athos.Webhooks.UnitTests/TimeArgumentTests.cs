using Athos.Webhooks.Cli.Commands;

namespace Athos.Webhooks.UnitTests;

/// <summary>How a point in time is given on the command line (<c>--since</c>).</summary>
public sealed class TimeArgumentTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 5, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("30m", "2026-06-05T11:30:00Z")]
    [InlineData("2h", "2026-06-05T10:00:00Z")]
    [InlineData("7d", "2026-05-29T12:00:00Z")]
    [InlineData("2026-06-01", "2026-06-01T00:00:00Z")]
    [InlineData("2026-06-01T08:00:00+02:00", "2026-06-01T06:00:00Z")]
    public void A_duration_back_from_now_or_an_ISO_time(string text, string expected)
    {
        Assert.True(TimeArgument.TryParse(text, Now, out var time));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), time);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("m")]
    [InlineData("-3d")]
    [InlineData("3w")]
    public void Anything_else_is_refused(string text) => Assert.False(TimeArgument.TryParse(text, Now, out _));
}
