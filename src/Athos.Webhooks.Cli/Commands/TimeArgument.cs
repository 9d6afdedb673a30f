using System.Globalization;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>A point in time on the command line: an ISO 8601 date or time, or a duration back from now (<c>30m</c>, <c>12h</c>, <c>7d</c>).</summary>
internal static class TimeArgument
{
    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset time)
    {
        time = default;
        if (text.Length >= 2 && char.IsAsciiDigit(text[0]) && text[^1] is 'm' or 'h' or 'd'
            && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            var back = text[^1] switch
            {
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
            time = now - back;
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }
}
