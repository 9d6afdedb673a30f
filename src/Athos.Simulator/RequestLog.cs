using System.Collections.Concurrent;

namespace Athos.Simulator;

/// <summary>Counts the requests the simulator answered, so tests can assert how Athos was used.</summary>
public sealed class RequestLog
{
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _details = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _recordings = new(StringComparer.Ordinal);
    private int _listRequests;
    private int _detailRequests;
    private int _total;
    private int _recordingRequests;
    private int _recordingRequestsWithAuthorization;
    private int _recordingHeadRequests;
    private int _inFlight;
    private int _peakInFlight;

    /// <summary>Every request to the API, authorised or not, faulted or not (recording downloads are not API requests).</summary>
    public int Total => Volatile.Read(ref _total);

    /// <summary>Requests to <c>GET /calls</c> (each is one page).</summary>
    public int ListRequests => Volatile.Read(ref _listRequests);

    /// <summary>Requests to <c>GET /calls/{id}</c>.</summary>
    public int DetailRequests => Volatile.Read(ref _detailRequests);

    /// <summary>Requests to <c>GET /calls/{id}</c> answered 200 with the detail (what a client really had to fetch).</summary>
    public int DetailsServed => Volatile.Read(ref _detailsServed);

    private int _detailsServed;

    /// <summary>Requests to the recording endpoint, of any method, refused or not.</summary>
    public int RecordingRequests => Volatile.Read(ref _recordingRequests);

    /// <summary>
    /// Recording requests that carried an <c>Authorization</c> header (each refused with 403). A client that sends its
    /// Athos API key to the recording host leaks it to a host that never needed it: this should stay 0.
    /// </summary>
    public int RecordingRequestsWithAuthorization => Volatile.Read(ref _recordingRequestsWithAuthorization);

    /// <summary>Recording requests made with <c>HEAD</c> (each refused with 403, as Athos's host does).</summary>
    public int RecordingHeadRequests => Volatile.Read(ref _recordingHeadRequests);

    /// <summary>The most API requests that were being answered at the same moment (a client's concurrency cap shows here).</summary>
    public int PeakInFlight => Volatile.Read(ref _peakInFlight);

    /// <summary>Requests to <c>GET /calls/{id}</c> for one call.</summary>
    public int DetailRequestsFor(string callId) => _details.GetValueOrDefault(callId);

    /// <summary>Requests to the recording endpoint for one call, of any method, refused or not.</summary>
    public int RecordingRequestsFor(string callId) => _recordings.GetValueOrDefault(callId);

    internal void CountRequest() => Interlocked.Increment(ref _total);

    internal void CountDetailServed(string callId)
    {
        Interlocked.Increment(ref _detailsServed);
        _served.AddOrUpdate(callId, 1, static (_, n) => n + 1);
    }

    /// <summary>Details of one call answered 200.</summary>
    public int DetailsServedFor(string callId) => _served.GetValueOrDefault(callId);

    private readonly ConcurrentDictionary<string, int> _served = new(StringComparer.Ordinal);

    /// <summary>An API request arrived; <see cref="Leave"/> when its answer is written.</summary>
    internal void Enter()
    {
        var now = Interlocked.Increment(ref _inFlight);
        int peak;
        while (now > (peak = Volatile.Read(ref _peakInFlight)) && Interlocked.CompareExchange(ref _peakInFlight, now, peak) != peak)
        {
        }
    }

    internal void Leave() => Interlocked.Decrement(ref _inFlight);

    internal void CountRecordingRequest(string callId, bool withAuthorization, bool isHead)
    {
        Interlocked.Increment(ref _recordingRequests);
        _recordings.AddOrUpdate(callId, 1, static (_, n) => n + 1);
        if (withAuthorization)
        {
            Interlocked.Increment(ref _recordingRequestsWithAuthorization);
        }

        if (isHead)
        {
            Interlocked.Increment(ref _recordingHeadRequests);
        }
    }

    /// <summary>
    /// Counts a list or detail request (a recording request is counted on arrival instead) and returns how many times
    /// this exact request has been made.
    /// </summary>
    internal int Count(ApiOperation operation, string requestKey, string? callId)
    {
        if (operation == ApiOperation.List)
        {
            Interlocked.Increment(ref _listRequests);
        }
        else if (operation == ApiOperation.Detail)
        {
            Interlocked.Increment(ref _detailRequests);
            _details.AddOrUpdate(callId!, 1, static (_, n) => n + 1);
        }

        return _attempts.AddOrUpdate(requestKey, 1, static (_, n) => n + 1);
    }
}
