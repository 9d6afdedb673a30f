namespace Athos.Webhooks.AthosApi;

/// <summary>One entry of Athos's roster (<c>GET /agents</c>, current contract only): a rep of the tenant.</summary>
internal sealed record AthosAgent
{
    /// <summary>Athos's id, <c>athos_agent_…</c>: what a call's <c>agentId</c> names.</summary>
    public required string Id { get; init; }

    public string? FirstName { get; init; }

    public string? LastName { get; init; }

    /// <summary>Lower-cased by Athos, or <see langword="null"/>.</summary>
    public string? Email { get; init; }

    /// <summary>The rep's National Producer Number (4–10 digits), or <see langword="null"/>.</summary>
    public string? Npn { get; init; }

    /// <summary>The customer's own id for the rep, when they registered one.</summary>
    public string? PlatformAgentId { get; init; }

    public string? AgencyId { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary>One page of <c>GET /agents</c> (in no documented order), and the cursor of the next (<see langword="null"/> on the last).</summary>
internal sealed record AgentPage
{
    public IReadOnlyList<AthosAgent> Data { get; init; } = [];

    public string? NextCursor { get; init; }
}
