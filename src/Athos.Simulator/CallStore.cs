namespace Athos.Simulator;

/// <summary>The simulated tenant's calls: thread-safe, with a sorted view for the list endpoint.</summary>
public sealed class CallStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SimulatedCall> _calls = new(StringComparer.Ordinal);
    private SimulatedCall[]? _scoredNewestFirst;

    /// <summary>Raised after a call is added or changed (the webhook dispatcher listens).</summary>
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

            _scoredNewestFirst = null;
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
    public SimulatedCall Update(string id, Func<SimulatedCall, SimulatedCall> change)
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
            _scoredNewestFirst = null;
        }

        Changed?.Invoke(updated);
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

    /// <summary>Scored calls, newest <c>endedAt</c> first, ties broken by id (descending) so paging is stable.</summary>
    internal SimulatedCall[] ScoredNewestFirst()
    {
        lock (_gate)
        {
            return _scoredNewestFirst ??= [.. _calls.Values
                .Where(c => c.State == CallState.Scored)
                .OrderByDescending(c => c.EndedAt)
                .ThenByDescending(c => c.Id, StringComparer.Ordinal)];
        }
    }
}
