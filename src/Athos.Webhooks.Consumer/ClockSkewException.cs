using System.Globalization;

namespace Athos.Webhooks.Consumer;

/// <summary>
/// The reader's clock is further from the storage service's than the change feed allows (1 minute): nothing was read.
/// A reader ahead would read up to a bound past changes not yet written and miss them for good; one behind misjudges
/// what is still kept. Sync the machine's clock (NTP), then read again from the same checkpoint.
/// </summary>
public sealed class ClockSkewException : Exception
{
    /// <summary>An exception with the default message.</summary>
    public ClockSkewException()
    {
    }

    /// <summary>An exception with <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public ClockSkewException(string message)
        : base(message)
    {
    }

    /// <summary>An exception with <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ClockSkewException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The reader's clock is <paramref name="skew"/> off the service's (positive: ahead), by the service's <c>Date</c>.</summary>
    public ClockSkewException(TimeSpan skew, DateTimeOffset serviceTime, DateTimeOffset readerTime, TimeSpan allowance)
        : base($"This machine's clock is at least {Describe(skew.Duration())} {(skew > TimeSpan.Zero ? "ahead of" : "behind")} the storage service's "
            + $"({Time(readerTime)} here, {Time(serviceTime)} by the service's Date header), and the change feed allows {Describe(allowance)}: "
            + (skew > TimeSpan.Zero ? "a reader ahead could read past changes not yet written and miss them for good. " : "a reader behind misjudges which checkpoints are still kept. ")
            + "Sync this machine's clock (NTP: `timedatectl set-ntp true`, `w32tm /resync`), then read again: nothing was read, the checkpoint still holds.")
    {
        Skew = skew;
    }

    /// <summary>
    /// How far the reader's clock is ahead of the storage service's (negative: behind), at least: the service's
    /// <c>Date</c> has whole seconds and is stamped somewhere during the request.
    /// </summary>
    public TimeSpan? Skew { get; }

    private static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{(int)span.TotalDays} d {span.Hours} h"
        : span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min"
        : span.Seconds == 0 ? $"{(int)span.TotalMinutes} min"
        : $"{(int)span.TotalMinutes} min {span.Seconds} s";

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
