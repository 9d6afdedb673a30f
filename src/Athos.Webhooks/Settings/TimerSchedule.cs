using NCrontab;

namespace Athos.Webhooks.Settings;

/// <summary>
/// The Functions timer trigger's CRON dialect (six fields, seconds first), parsed in this one place so that every
/// schedule, in either host, reads the same way.
/// </summary>
internal static class TimerSchedule
{
    private static readonly CrontabSchedule.ParseOptions SixFields = new() { IncludingSeconds = true };

    /// <summary>Parses a six-field expression.</summary>
    /// <exception cref="FormatException">It is not one.</exception>
    public static CrontabSchedule Parse(string expression) =>
        TryParse(expression) ?? throw new FormatException($"'{expression}' is not a six-field CRON expression.");

    /// <summary>The parsed schedule, or null if <paramref name="expression"/> is not a six-field expression.</summary>
    public static CrontabSchedule? TryParse(string? expression) =>
        CrontabSchedule.TryParse(expression ?? string.Empty, SixFields);
}
