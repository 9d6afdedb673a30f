namespace Athos.Simulator;

/// <summary>One rep on the simulated tenant's roster, as <c>GET /agents</c> returns it.</summary>
public sealed record SimulatedAgent
{
    /// <summary>Athos's id, <c>athos_agent_…</c>: what the rep's calls carry as <c>agentId</c>.</summary>
    public required string Id { get; init; }

    public required string FirstName { get; init; }

    public required string LastName { get; init; }

    public string? Email { get; init; }

    public string? Npn { get; init; }

    public string? PlatformAgentId { get; init; }

    public required string AgencyId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}
