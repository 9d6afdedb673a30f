using System.Collections.Concurrent;
using Athos.Webhooks.Telemetry;

namespace Athos.Webhooks.Webhooks;

/// <summary>
/// How requests refused before they were authenticated (too large, unsigned, wrongly signed, stale) are logged: the first
/// of each reason at once, then the rest of that minute as one record with their count when the minute ends. An
/// unsigned flood then writes two records a minute per reason, not one per request, so it cannot fill the workspace's
/// daily cap and hide every other signal; the delivery metric still counts every request. Refusals after the signature
/// (a genuine Athos delivery with a bad payload) are not limited: the receiver logs each.
/// </summary>
internal sealed partial class RefusalLog(TimeProvider time, ILogger<WebhookReceiver> logger) : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    // One window per error code: a small, fixed set (WebhookErrorCodes), so the map cannot grow with the traffic.
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>Logs a refusal at once when it opens its reason's minute, else counts it for the record at the minute's end.</summary>
    public void Refused(int status, string code, string? webhookId)
    {
        var window = _windows.GetOrAdd(code, static _ => new Window());
        lock (window)
        {
            if (window.Timer is not null)
            {
                window.Suppressed++;
                return;
            }

            // Not in the refused request's context: the record at the minute's end belongs to no invocation.
            using (ExecutionContext.SuppressFlow())
            {
                window.Timer = time.CreateTimer(_ => Close(code), null, Interval, Timeout.InfiniteTimeSpan);
            }
        }

        Log.Rejected(logger, status, code, webhookId);
    }

    /// <summary>At shutdown (a scale-in, a deployment): the minutes still open are reported now, not lost.</summary>
    public void Dispose()
    {
        foreach (var code in _windows.Keys)
        {
            Close(code);
        }
    }

    private void Close(string code)
    {
        var window = _windows[code];
        long suppressed;
        lock (window)
        {
            (suppressed, window.Suppressed) = (window.Suppressed, 0);
            window.Timer?.Dispose();
            window.Timer = null;
        }

        if (suppressed > 0)
        {
            try
            {
                Log.RejectedMore(logger, code, suppressed, Interval);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // On a timer thread: a failing logger must not end the process. The delivery metric has the count.
            }
        }
    }

    private sealed class Window
    {
        public long Suppressed { get; set; }

        public ITimer? Timer { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.WebhookRejected, Level = LogLevel.Warning, Message = "Webhook rejected with {StatusCode} {ErrorCode} (webhook {WebhookId})")]
        public static partial void Rejected(ILogger logger, int statusCode, string errorCode, string? webhookId);

        [LoggerMessage(EventId = LogEvents.WebhookRejectedMore, Level = LogLevel.Warning, Message = "Webhook rejected with {ErrorCode} {Refused} more time(s) in the {Interval} after the last such record")]
        public static partial void RejectedMore(ILogger logger, string errorCode, long refused, TimeSpan interval);
    }
}
