using System.Collections.Concurrent;

namespace Athos.Simulator;

/// <summary>Counts the API requests the simulator answered, so tests can assert how Athos was used.</summary>
public sealed class RequestLog
{
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _details = new(StringComparer.Ordinal);
    private int _listRequests;
    private int _detailRequests;
    private int _total;

    /// <summary>Every request to the API, authorised or not, faulted or not.</summary>
    public int Total => Volatile.Read(ref _total);

    /// <summary>Requests to <c>GET /calls</c> (each is one page).</summary>
    public int ListRequests => Volatile.Read(ref _listRequests);

    /// <summary>Requests to <c>GET /calls/{id}</c>.</summary>
    public int DetailRequests => Volatile.Read(ref _detailRequests);

    /// <summary>Requests to <c>GET /calls/{id}</c> for one call.</summary>
    public int DetailRequestsFor(string callId) => _details.GetValueOrDefault(callId);

    internal void CountRequest() => Interlocked.Increment(ref _total);

    /// <summary>Counts a list or detail request and returns how many times this exact request has been made.</summary>
    internal int Count(ApiOperation operation, string requestKey, string? callId)
    {
        if (operation == ApiOperation.List)
        {
            Interlocked.Increment(ref _listRequests);
        }
        else
        {
            Interlocked.Increment(ref _detailRequests);
            _details.AddOrUpdate(callId!, 1, static (_, n) => n + 1);
        }

        return _attempts.AddOrUpdate(requestKey, 1, static (_, n) => n + 1);
    }
}
