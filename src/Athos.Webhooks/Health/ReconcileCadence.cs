using NCrontab;

namespace Athos.Webhooks.Health;

/// <summary>
/// How often the reconciler runs, from its schedule (<c>ATHOS_RECONCILE_SCHEDULE</c>), and so how long it may go
/// without a successful run before something is wrong: three intervals, as the alert in infra/ counts them.
/// </summary>
internal static class ReconcileCadence
{
    /// <summary>Runs without success that make the reconciler unhealthy.</summary>
    public const int IntervalsBeforeUnhealthy = 3;

    /// <summary>The longest gap between two of the schedule's next occurrences (a day's worth at most looked at).</summary>
    public static TimeSpan Interval(CrontabSchedule schedule, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var longest = TimeSpan.Zero;
        var previous = now.UtcDateTime;
        for (var i = 0; i < 24; i++)
        {
            var next = schedule.GetNextOccurrence(previous);
            if (i > 0 && next - previous > longest)
            {
                longest = next - previous;
            }

            previous = next;
        }

        return longest;
    }

    /// <summary>How long without a successful run is still healthy: <see cref="IntervalsBeforeUnhealthy"/> intervals.</summary>
    public static TimeSpan MaxQuietTime(CrontabSchedule schedule, DateTimeOffset now) => Interval(schedule, now) * IntervalsBeforeUnhealthy;
}
