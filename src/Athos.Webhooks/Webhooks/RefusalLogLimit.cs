using System.Collections.Concurrent;

namespace Athos.Webhooks.Webhooks;

/// <summary>
/// How often a refused delivery is logged: at most once a <see cref="Interval"/> per reason (the error code), with how
/// many were refused for it since the last record. An unsigned flood then writes a handful of records, not one per
/// request, so it cannot fill the workspace's daily cap and hide every other signal; the delivery metric stays exact.
/// </summary>
internal sealed class RefusalLogLimit(TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    // One entry per error code: a small, fixed set (WebhookErrorCodes), so the map cannot grow with the traffic.
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>
    /// Counts one refusal for <paramref name="reason"/>; returns how many to report (this one included) when a record is
    /// due, or <see langword="null"/> when the refusal is only counted.
    /// </summary>
    public long? Admit(string reason)
    {
        var window = _windows.GetOrAdd(reason, static _ => new Window());
        var now = time.GetUtcNow();
        lock (window)
        {
            window.Count++;
            if (now < window.NextRecordAt)
            {
                return null;
            }

            var count = window.Count;
            window.Count = 0;
            window.NextRecordAt = now + Interval;
            return count;
        }
    }

    private sealed class Window
    {
        public long Count { get; set; }

        public DateTimeOffset NextRecordAt { get; set; } = DateTimeOffset.MinValue;
    }
}
