namespace Athos.Webhooks.Enrichment;

/// <summary>
/// One work item at a time per call on this instance: a second copy of a call's item (the webhook's and the
/// reconciler's, met in one batch) waits for the first, then finds its version stored and costs a read, not an Athos
/// fetch. Instances do not see each other's turns; there the row's ETag keeps the result right, at the cost of a fetch.
/// </summary>
internal sealed class CallGate
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Waits for the call's turn; <see cref="Turn.Waited"/> says whether another item had it first.</summary>
    public async Task<Turn> EnterAsync(string callId, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(callId, out entry!))
            {
                entry = new Entry();
                _entries.Add(callId, entry);
            }

            entry.Users++;
        }

        var waited = !entry.Turn.Wait(0, CancellationToken.None);
        try
        {
            if (waited)
            {
                await entry.Turn.WaitAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            Leave(callId, entry);
            throw;
        }

        return new Turn(this, callId, entry, waited);
    }

    private void Leave(string callId, Entry entry)
    {
        lock (_entries)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(callId);
            }
        }
    }

    /// <summary>A call's turn, given back when disposed.</summary>
    internal readonly struct Turn : IDisposable
    {
        private readonly CallGate _gate;
        private readonly string _callId;
        private readonly Entry _entry;

        internal Turn(CallGate gate, string callId, Entry entry, bool waited) => (_gate, _callId, _entry, Waited) = (gate, callId, entry, waited);

        /// <summary>Another item of the same call had the turn first (and may have stored its version).</summary>
        public bool Waited { get; }

        public void Dispose()
        {
            _entry.Turn.Release();
            _gate.Leave(_callId, _entry);
        }
    }

    internal sealed class Entry
    {
        public SemaphoreSlim Turn { get; } = new(1, 1);

        /// <summary>Items holding or waiting for the turn (under the gate's lock): the entry goes when none are left.</summary>
        public int Users { get; set; }
    }
}
