using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace Athos.Webhooks.Roster;

/// <summary>
/// The agent ids this instance knows the mirror has, so that enrichment can tell a new rep from a known one without a
/// storage read: filled by a roster sync that ran here, grown by the look-ups. Until a sync has run in this instance it
/// knows nothing and asks for nothing (the next sync, which pages the whole roster, brings every rep anyway).
/// </summary>
internal sealed class KnownAgents
{
    private readonly ConcurrentDictionary<string, byte> _asked = new(StringComparer.Ordinal);
    private volatile FrozenSet<string>? _mirrored;

    /// <summary>Replaces what is known with the mirror as a sync left it.</summary>
    public void Replace(IEnumerable<string> agentIds)
    {
        _mirrored = agentIds.ToFrozenSet(StringComparer.Ordinal);
        _asked.Clear();
    }

    /// <summary>
    /// Whether <paramref name="agentId"/> is worth a look-up: this instance has synced, the mirror did not have the agent
    /// then, and no look-up was asked for since. True once per agent and sync.
    /// </summary>
    public bool ShouldLookUp(string agentId) =>
        _mirrored is { } mirrored && !mirrored.Contains(agentId) && _asked.TryAdd(agentId, 0);
}
