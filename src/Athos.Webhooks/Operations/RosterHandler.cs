using System.Text.Json;
using Athos.Webhooks.Roster;

namespace Athos.Webhooks.Operations;

/// <summary>What the CLI reads of the roster mirror and writes into it: reps' names, agency names.</summary>
public interface IRosterHandler
{
    /// <summary>
    /// Names for the calls' reps and agencies: <c>{"reps":{"athos_agent_…":"First Last"},"agencies":{"…":"Name"}}</c>,
    /// reps by <c>agentId</c> (those the mirror knows), agencies by the id given (Athos's <c>agencyId</c> or the
    /// customer's <c>platformAgencyId</c>, whichever has a supplied name).
    /// </summary>
    Task<JsonElement> NamesAsync(IReadOnlyCollection<string> agentIds, IReadOnlyCollection<(string? AgencyId, string? PlatformAgencyId)> agencies, CancellationToken cancellationToken);

    /// <summary>
    /// Imports agency names from CSV (docs/schema.md, "AthosAgencyNames"): <c>{"key":"agencyId","written":3,"deleted":0}</c>.
    /// Throws <see cref="FormatException"/>, naming the line, for a file that is not the documented CSV; nothing is written then.
    /// </summary>
    Task<JsonElement> ImportAgencyNamesAsync(TextReader csv, CancellationToken cancellationToken);
}

/// <inheritdoc cref="IRosterHandler"/>
internal sealed class RosterHandler(RosterReader roster, AgencyNameImport import) : IRosterHandler
{
    public async Task<JsonElement> NamesAsync(IReadOnlyCollection<string> agentIds, IReadOnlyCollection<(string? AgencyId, string? PlatformAgencyId)> agencies, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agencies);
        var reps = await roster.NamesAsync(agentIds, cancellationToken);
        var agencyNames = new Dictionary<string, string>(StringComparer.Ordinal);
        if (agencies.Count > 0)
        {
            var known = await roster.AgencyNamesAsync(cancellationToken);
            foreach (var (agencyId, platformAgencyId) in agencies)
            {
                if (known.Of(agencyId, platformAgencyId) is { } name)
                {
                    agencyNames[(agencyId is not null && known.ByAgencyId.ContainsKey(agencyId) ? agencyId : platformAgencyId)!] = name;
                }
            }
        }

        return JsonSerializer.SerializeToElement(new NamesReport(reps, agencyNames), OperationsJsonContext.Default.NamesReport);
    }

    public async Task<JsonElement> ImportAgencyNamesAsync(TextReader csv, CancellationToken cancellationToken)
    {
        var result = await import.ImportAsync(csv, cancellationToken);
        return JsonSerializer.SerializeToElement(new AgencyImportReport(result.Key, result.Written, result.Deleted), OperationsJsonContext.Default.AgencyImportReport);
    }
}

/// <summary>Names by id: reps by <c>agentId</c>, agencies by the id that has a supplied name.</summary>
internal sealed record NamesReport(IReadOnlyDictionary<string, string> Reps, IReadOnlyDictionary<string, string> Agencies);

/// <summary>What <c>agencies import</c> did.</summary>
internal sealed record AgencyImportReport(string Key, int Written, int Deleted);

/// <summary>What <c>forget --agent</c> did: the mirror row, and each of the rep's calls erased (with <c>--calls</c>).</summary>
internal sealed record ForgetAgentReport(string AgentId, bool MirrorRowRemoved, IReadOnlyList<ForgetReport> Calls);
