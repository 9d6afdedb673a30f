using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Roster;

/// <summary>
/// One rep in <c>AthosAgents</c> (<c>PartitionKey</c> = agentId, <c>RowKey</c> = ""), as Athos's roster last listed
/// them; <see cref="RemovedAt"/> once Athos stopped listing them (docs/schema.md, "AthosAgents").
/// </summary>
internal sealed class AgentRow : TableRow
{
    public string? FirstName { get; set; }

    public string? LastName { get; set; }

    public string? Email { get; set; }

    /// <summary>Only with <c>ATHOS_ROSTER_MIRROR_NPN</c>.</summary>
    public string? Npn { get; set; }

    public string? PlatformAgentId { get; set; }

    public string? AgencyId { get; set; }

    /// <summary>Athos's <c>createdAt</c> of the agent.</summary>
    public DateTimeOffset? AthosCreatedAt { get; set; }

    /// <summary>When a sync first found the agent no longer listed; absent while Athos lists them.</summary>
    public DateTimeOffset? RemovedAt { get; set; }

    /// <summary>When the mirror last changed this row (a sync or a look-up that found it different).</summary>
    public DateTimeOffset? MirroredAt { get; set; }

    public string AgentId => PartitionKey;

    /// <summary>Whether <paramref name="id"/> can be a key as it is (Athos's ids always can): none of the characters Table Storage refuses in keys.</summary>
    public static bool IsUsableKey([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? id) => id is not null && TableKeys.UserPartition(id) == id;

    /// <summary>"First Last", or <see langword="null"/> when Athos gave neither.</summary>
    public string? FullName => string.Join(' ', new[] { FirstName, LastName }.Where(n => !string.IsNullOrWhiteSpace(n))) is { Length: > 0 } name ? name : null;

    public static AgentRow From(AthosAgent agent, bool mirrorNpn, DateTimeOffset now) => new()
    {
        PartitionKey = agent.Id,
        FirstName = agent.FirstName,
        LastName = agent.LastName,
        Email = agent.Email,
        Npn = mirrorNpn ? agent.Npn : null,
        PlatformAgentId = agent.PlatformAgentId,
        AgencyId = agent.AgencyId,
        AthosCreatedAt = agent.CreatedAt,
        MirroredAt = now,
    };

    /// <summary>Whether the row already says what <paramref name="listed"/> would write (a listed agent is not removed).</summary>
    public bool Matches(AgentRow listed) =>
        RemovedAt is null
        && string.Equals(FirstName, listed.FirstName, StringComparison.Ordinal)
        && string.Equals(LastName, listed.LastName, StringComparison.Ordinal)
        && string.Equals(Email, listed.Email, StringComparison.Ordinal)
        && string.Equals(Npn, listed.Npn, StringComparison.Ordinal)
        && string.Equals(PlatformAgentId, listed.PlatformAgentId, StringComparison.Ordinal)
        && string.Equals(AgencyId, listed.AgencyId, StringComparison.Ordinal)
        && AthosCreatedAt == listed.AthosCreatedAt;
}
