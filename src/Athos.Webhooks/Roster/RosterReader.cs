using Azure.Data.Tables;

namespace Athos.Webhooks.Roster;

/// <summary>
/// The roster mirror as a reader takes it (the analytics export's <c>agents</c> dataset, the CLI's rep names): every
/// row of <c>AthosAgents</c>, removed agents included with their <c>RemovedAt</c>, each with its agency's name when
/// the customer supplied one (<c>AthosAgencyNames</c>: by <c>agencyId</c>).
/// </summary>
internal sealed class RosterReader(TableServiceClient tables)
{
    private readonly TableClient _agents = tables.GetTableClient(StorageNames.AgentsTable);
    private readonly TableClient _agencyNames = tables.GetTableClient(StorageNames.AgencyNamesTable);

    /// <summary>Every mirrored agent, page by page as storage serves them (1,000 rows a request).</summary>
    public async IAsyncEnumerable<MirroredAgent> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var agencies = await AgencyNamesAsync(cancellationToken);
        await foreach (var row in _agents.QueryAsync<AgentRow>(cancellationToken: cancellationToken))
        {
            yield return MirroredAgent.Of(row, agencies.Of(row.AgencyId, null));
        }
    }

    /// <summary>The names of the given reps the mirror knows (one point read each); an unknown id is left out.</summary>
    public async Task<IReadOnlyDictionary<string, string>> NamesAsync(IEnumerable<string> agentIds, CancellationToken cancellationToken = default)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var agentId in agentIds.Distinct(StringComparer.Ordinal))
        {
            if (await TryGetAsync(agentId, cancellationToken) is { FullName: { } name })
            {
                names[agentId] = name;
            }
        }

        return names;
    }

    /// <summary>One agent's mirror row, or <see langword="null"/> (also when the table does not exist yet).</summary>
    public async Task<AgentRow?> TryGetAsync(string agentId, CancellationToken cancellationToken = default)
    {
        if (!AgentRow.IsUsableKey(agentId))
        {
            // Not an id Athos gives (a test row's, an early contract's customer id): never mirrored.
            return null;
        }

        try
        {
            var response = await _agents.GetEntityIfExistsAsync<AgentRow>(agentId, string.Empty, cancellationToken: cancellationToken);
            return response.HasValue ? response.Value : null;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Every agency name the customer supplied (a small table, read whole); none when the table does not exist.</summary>
    public async Task<AgencyNames> AgencyNamesAsync(CancellationToken cancellationToken = default)
    {
        var byAgencyId = new Dictionary<string, string>(StringComparer.Ordinal);
        var byPlatformAgencyId = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            await foreach (var row in _agencyNames.QueryAsync<AgencyNameRow>(cancellationToken: cancellationToken))
            {
                var names = row.PartitionKey == AgencyNameRow.ByAgencyId ? byAgencyId : byPlatformAgencyId;
                if (row.Name is { } name)
                {
                    names[row.RowKey] = name;
                }
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // The optional table was never created: no names.
        }

        return new AgencyNames(byAgencyId, byPlatformAgencyId);
    }
}

/// <summary>Agency names the customer supplied, by Athos's <c>agencyId</c> and by their own <c>platformAgencyId</c>.</summary>
internal sealed record AgencyNames(IReadOnlyDictionary<string, string> ByAgencyId, IReadOnlyDictionary<string, string> ByPlatformAgencyId)
{
    /// <summary>The name of an agency named by either id (Athos's first), or <see langword="null"/>.</summary>
    public string? Of(string? agencyId, string? platformAgencyId) =>
        agencyId is not null && ByAgencyId.TryGetValue(agencyId, out var name) ? name
        : platformAgencyId is not null && ByPlatformAgencyId.TryGetValue(platformAgencyId, out var other) ? other
        : null;
}

/// <summary>One mirrored agent as a reader sees it; <see cref="RemovedAt"/> is set once Athos stopped listing them.</summary>
internal sealed record MirroredAgent(
    string AgentId,
    string? FirstName,
    string? LastName,
    string? Email,
    string? Npn,
    string? PlatformAgentId,
    string? AgencyId,
    string? AgencyName,
    DateTimeOffset? AthosCreatedAt,
    DateTimeOffset? RemovedAt,
    DateTimeOffset? MirroredAt)
{
    public static MirroredAgent Of(AgentRow row, string? agencyName) => new(
        row.AgentId, row.FirstName, row.LastName, row.Email, row.Npn, row.PlatformAgentId, row.AgencyId, agencyName, row.AthosCreatedAt, row.RemovedAt, row.MirroredAt);
}
