using System.Text.Json;
using Athos.Webhooks.Operations;

namespace Athos.Webhooks.Cli.Output;

/// <summary>
/// The names the calls commands print beside ids: reps from the roster mirror (<c>AthosAgents</c>), agencies from the
/// names the customer imported (<c>AthosAgencyNames</c>). An id without a known name prints as before.
/// </summary>
internal sealed record RepNames(IReadOnlyDictionary<string, string> Reps, IReadOnlyDictionary<string, string> Agencies)
{
    public static RepNames None { get; } = new(new Dictionary<string, string>(), new Dictionary<string, string>());

    public static async Task<RepNames> OfAsync(IRosterHandler roster, IReadOnlyCollection<CallRow> rows, CancellationToken cancellationToken)
    {
        var agentIds = rows.Select(r => r.AgentId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var agencies = rows.Where(r => r.AgencyId is not null || r.ExternalAgencyId is not null).Select(r => (r.AgencyId, r.ExternalAgencyId)).Distinct().ToList();
        if (agentIds.Count == 0 && agencies.Count == 0)
        {
            return None;
        }

        var names = await roster.NamesAsync(agentIds, agencies, cancellationToken);
        return new RepNames(Map(names.GetProperty("reps")), Map(names.GetProperty("agencies")));

        static Dictionary<string, string> Map(JsonElement element) =>
            element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal);
    }

    public string? RepOf(CallRow row) => row.AgentId is { } id && Reps.TryGetValue(id, out var name) ? name : null;

    public string? AgencyOf(CallRow row) =>
        row.AgencyId is { } id && Agencies.TryGetValue(id, out var name) ? name
        : row.ExternalAgencyId is { } other && Agencies.TryGetValue(other, out var otherName) ? otherName
        : null;
}
