using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Athos.Webhooks.Testing;

/// <summary>An Azure.Core pipeline policy that records every storage request the product makes.</summary>
public sealed partial class StorageRequestCounter : HttpPipelinePolicy
{
    private readonly ConcurrentQueue<(string Method, Uri Uri)> _requests = new();
    private long _busyTicks;

    public IReadOnlyList<(string Method, Uri Uri)> Requests => [.. _requests];

    /// <summary>The requests by name (<see cref="StorageRequest"/>), in the order they were sent.</summary>
    public IReadOnlyList<StorageRequest> Named => [.. _requests.Select(r => StorageRequest.Of(r.Method, r.Uri))];

    /// <summary>
    /// The requests' durations added up since the last <see cref="Reset"/>: over a window, this ÷ the window is the mean
    /// number of requests in flight (Little's law), and this ÷ the count is the mean latency.
    /// </summary>
    public TimeSpan BusyTime => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _busyTicks));

    public void Reset()
    {
        _requests.Clear();
        Interlocked.Exchange(ref _busyTicks, 0);
    }

    /// <summary>Requests that change table data (anything but GET) against the table endpoint on <paramref name="tablePort"/>.</summary>
    public int TableWrites(int tablePort) => Requests.Count(r => r.Uri.Port == tablePort && r.Method != "GET");

    public int To(int port) => Requests.Count(r => r.Uri.Port == port);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Record(message);
        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Record(message);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await ProcessNextAsync(message, pipeline);
        }
        finally
        {
            Interlocked.Add(ref _busyTicks, Stopwatch.GetTimestamp() - started);
        }
    }

    private void Record(HttpMessage message)
    {
        var uri = message.Request.Uri.ToUri();
        // An entity-group transaction addresses the account ("…/$batch"); its table is named inside the body.
        if (uri.AbsolutePath.EndsWith("/$batch", StringComparison.Ordinal) && message.Request.Content is { } content && BatchTable(content) is { } table)
        {
            uri = new Uri(uri, uri.AbsolutePath[..^"$batch".Length] + table + "/$batch");
        }

        _requests.Enqueue((message.Request.Method.ToString(), uri));
    }

    private static string? BatchTable(RequestContent content)
    {
        using var body = new MemoryStream();
        content.WriteTo(body, CancellationToken.None);
        var match = BatchOperation().Match(System.Text.Encoding.UTF8.GetString(body.ToArray()));
        return match.Success ? match.Groups[1].Value : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(?:POST|PUT|MERGE|PATCH|DELETE) \S+/([A-Za-z][A-Za-z0-9]*)(?:\(|\?| )")]
    private static partial System.Text.RegularExpressions.Regex BatchOperation();
}
