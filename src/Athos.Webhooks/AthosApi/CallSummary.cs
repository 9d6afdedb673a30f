using System.Text.Json;
using System.Text.Json.Serialization;

namespace Athos.Webhooks.AthosApi;

/// <summary>A list row of <c>GET /calls</c> (Athos's SlimCall): a scored call without score or transcript.</summary>
/// <remarks>
/// Both contracts are read by the same model: the early one names the rep <c>externalUserId</c>, the current one
/// gives Athos's own <c>agentId</c> and the customer's <c>platformAgentId</c>. <see cref="Contract"/> says which one a
/// row came in; <see cref="CustomerUserId"/> and <see cref="CustomerAgencyId"/> are the customer's own ids either way.
/// Unknown fields land in <see cref="AdditionalProperties"/> instead of breaking the parse.
/// </remarks>
internal record CallSummary
{
    public required string Id { get; init; }

    public string? Source { get; init; }

    /// <summary>Early contract: the customer's id for the rep.</summary>
    public string? ExternalUserId { get; init; }

    /// <summary>Early contract: the customer's agency label.</summary>
    public string? ExternalAgencyId { get; init; }

    /// <summary>Current contract: Athos's id for the rep (<c>athos_agent_…</c>), always present.</summary>
    public string? AgentId { get; init; }

    /// <summary>Current contract: Athos's id for the agency (<c>athos_agency_…</c>).</summary>
    public string? AgencyId { get; init; }

    /// <summary>Current contract: the customer's id for the rep, when they registered one.</summary>
    public string? PlatformAgentId { get; init; }

    /// <summary>Current contract: the customer's id for the agency, when they registered one.</summary>
    public string? PlatformAgencyId { get; init; }

    public string? DrillKey { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public int? DurationSec { get; init; }

    public DateTimeOffset? ScoredAt { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>Which contract Athos sent this call in: the current one always carries <c>agentId</c>.</summary>
    [JsonIgnore]
    public AthosContract Contract => AgentId is null ? AthosContract.Early : AthosContract.Current;

    /// <summary>The customer's own id for the rep: <c>platformAgentId</c>, else the early <c>externalUserId</c>.</summary>
    [JsonIgnore]
    public string? CustomerUserId => PlatformAgentId ?? ExternalUserId;

    /// <summary>The customer's own id for the agency: <c>platformAgencyId</c>, else the early <c>externalAgencyId</c>.</summary>
    [JsonIgnore]
    public string? CustomerAgencyId => PlatformAgencyId ?? ExternalAgencyId;

    /// <summary>The time the list bounds and orders this call by, for its source (<see cref="CallSources.ListTime"/>).</summary>
    public DateTimeOffset? ListTime() => CallSources.ListTime(Source, StartedAt, EndedAt);
}
