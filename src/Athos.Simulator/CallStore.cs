namespace Athos.Simulator;

/// <summary>The time a list request bounds and orders calls on.</summary>
internal enum ListAxis
{
    /// <summary>Roleplay calls, and every call in the early contract.</summary>
    EndedAt,

    /// <summary>Real calls in the later contract.</summary>
    StartedAt,
}

/// <summary>The simulated tenant's calls: thread-safe, with sorted views for the list endpoint.</summary>
public sealed class CallStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SimulatedCall> _calls = new(StringComparer.Ordinal);
    private SimulatedCall[]? _scoredByEndedAt;
    private SimulatedCall[]? _scoredByStartedAt;

    /// <summary>
    /// Raised after a call is added or changed (the webhook dispatcher listens), except for an update made with
    /// <c>notify: false</c>: a change Athos makes without telling anyone.
    /// </summary>
    public event Action<SimulatedCall>? Changed;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _calls.Count;
            }
        }
    }

    public void Add(SimulatedCall call)
    {
        lock (_gate)
        {
            if (!_calls.TryAdd(call.Id, call))
            {
                throw new InvalidOperationException($"The simulator already has call {call.Id}.");
            }

            Invalidate();
        }

        Changed?.Invoke(call);
    }

    public void AddRange(IEnumerable<SimulatedCall> calls)
    {
        foreach (var call in calls)
        {
            Add(call);
        }
    }

    /// <summary>Replaces a call with a changed copy (a rescore, a failure, new fields).</summary>
    /// <param name="notify">
    /// Whether to raise <see cref="Changed"/>, and so deliver a webhook. <see langword="false"/> for a change Athos
    /// sends no webhook for, such as a real call re-dispositioned by the dialer.
    /// </param>
    public SimulatedCall Update(string id, Func<SimulatedCall, SimulatedCall> change, bool notify = true)
    {
        SimulatedCall updated;
        lock (_gate)
        {
            if (!_calls.TryGetValue(id, out var current))
            {
                throw new KeyNotFoundException($"The simulator has no call {id}.");
            }

            updated = change(current);
            if (updated.Id != id)
            {
                throw new InvalidOperationException("An update must keep the call id.");
            }

            _calls[id] = updated;
            Invalidate();
        }

        if (notify)
        {
            Changed?.Invoke(updated);
        }

        return updated;
    }

    public SimulatedCall? Find(string id)
    {
        lock (_gate)
        {
            return _calls.GetValueOrDefault(id);
        }
    }

    public IReadOnlyList<SimulatedCall> All()
    {
        lock (_gate)
        {
            return [.. _calls.Values];
        }
    }

    /// <summary>Whether any call, in any state, matches: how the API tells a known agent or agency from an unknown one.</summary>
    internal bool Any(Func<SimulatedCall, bool> predicate)
    {
        lock (_gate)
        {
            return _calls.Values.Any(predicate);
        }
    }

    /// <summary>Scored calls, newest first on <paramref name="axis"/>, ties broken by id (descending) so paging is stable.</summary>
    internal SimulatedCall[] ScoredNewestFirst(ListAxis axis)
    {
        lock (_gate)
        {
            return axis == ListAxis.StartedAt
                ? _scoredByStartedAt ??= Sort(c => c.StartedAt)
                : _scoredByEndedAt ??= Sort(c => c.EndedAt);
        }
    }

    private SimulatedCall[] Sort(Func<SimulatedCall, DateTimeOffset> axis) =>
        [.. _calls.Values
            .Where(c => c.State == CallState.Scored)
            .OrderByDescending(axis)
            .ThenByDescending(c => c.Id, StringComparer.Ordinal)];

    private void Invalidate() => _scoredByEndedAt = _scoredByStartedAt = null;
}
