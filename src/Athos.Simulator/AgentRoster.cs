using System.Globalization;

namespace Athos.Simulator;

/// <summary>
/// The simulated tenant's roster (current contract only): every rep the generator makes calls for, in the generator's
/// order, so the calls it makes name agents of this roster; tests add reps, rename them and remove them.
/// </summary>
public sealed class AgentRoster
{
    private static readonly string[] FirstNames = ["Ada", "Bea", "Cal", "Dee", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jo", "Kit", "Lou", "Max", "Nia", "Oz", "Pia"];
    private static readonly string[] LastNames = ["Lopez", "Nguyen", "Okafor", "Patel", "Quinn", "Rossi", "Smith", "Tanaka", "Ulrich", "Varga", "Weber", "Xu", "Young", "Zeller"];

    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, SimulatedAgent> _agents = new(StringComparer.Ordinal);
    private readonly CallGenerator _generator;
    private readonly int _seed;
    private int _next;

    public AgentRoster(CallGenerator generator, SimulatorOptions options)
    {
        _generator = generator;
        _seed = options.Seed;
        var createdAt = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        foreach (var agentId in generator.AgentIds)
        {
            Add(Make(agentId, _next, generator.AgencyIds[_next % generator.AgencyIds.Count], createdAt));
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _agents.Count;
            }
        }
    }

    /// <summary>The roster as listed, ordered by id (the contract promises no order; this one is stable for cursors).</summary>
    public IReadOnlyList<SimulatedAgent> Snapshot()
    {
        lock (_gate)
        {
            return [.. _agents.Values];
        }
    }

    public SimulatedAgent? Find(string agentId)
    {
        lock (_gate)
        {
            return _agents.GetValueOrDefault(agentId);
        }
    }

    /// <summary>Registers <paramref name="count"/> new reps (as <c>POST /agents</c> would), each with a platform id and an NPN.</summary>
    public IReadOnlyList<SimulatedAgent> AddAgents(int count, DateTimeOffset createdAt)
    {
        var added = new List<SimulatedAgent>(count);
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                var agent = Make(AthosIds.Agent(_seed, _next), _next, _generator.AgencyIds[_next % _generator.AgencyIds.Count], createdAt);
                _agents[agent.Id] = agent;
                _next++;
                added.Add(agent);
            }
        }

        return added;
    }

    /// <summary>Renames a rep, as an admin does at Athos.</summary>
    public SimulatedAgent Rename(string agentId, string firstName, string lastName)
    {
        lock (_gate)
        {
            var renamed = _agents[agentId] with { FirstName = firstName, LastName = lastName };
            _agents[agentId] = renamed;
            return renamed;
        }
    }

    /// <summary>Takes a rep off the roster; their calls stay.</summary>
    public bool Remove(string agentId)
    {
        lock (_gate)
        {
            return _agents.Remove(agentId);
        }
    }

    private void Add(SimulatedAgent agent)
    {
        lock (_gate)
        {
            _agents[agent.Id] = agent;
            _next++;
        }
    }

    private static SimulatedAgent Make(string agentId, int rep, string agencyId, DateTimeOffset createdAt)
    {
        var first = FirstNames[rep % FirstNames.Length];
        var last = LastNames[(rep / FirstNames.Length + rep) % LastNames.Length];
        return new SimulatedAgent
        {
            Id = agentId,
            FirstName = first,
            LastName = last,
            Email = string.Create(CultureInfo.InvariantCulture, $"{first}.{last}.{rep}@example.com").ToLowerInvariant(),
            Npn = (1_000_000 + rep).ToString(CultureInfo.InvariantCulture),
            // The generator's calls carry rep_1000… as the platform id, but for reps the customer never registered (CallGenerator).
            PlatformAgentId = rep % 9 == 8 ? null : string.Create(CultureInfo.InvariantCulture, $"rep_{1000 + rep}"),
            AgencyId = agencyId,
            CreatedAt = createdAt,
        };
    }
}
