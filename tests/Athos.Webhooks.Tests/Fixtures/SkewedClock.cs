namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>
/// One instance's clock: a shared fake "true time" plus a fixed skew, so that several writers and readers disagree by
/// exactly as much as a test says. Timers (timeouts) run on the shared time.
/// </summary>
public sealed class SkewedClock(TimeProvider trueTime, TimeSpan skew) : TimeProvider
{
    public TimeSpan Skew => skew;

    public override DateTimeOffset GetUtcNow() => trueTime.GetUtcNow() + skew;

    public override long GetTimestamp() => trueTime.GetTimestamp();

    public override long TimestampFrequency => trueTime.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        trueTime.CreateTimer(callback, state, dueTime, period);
}
