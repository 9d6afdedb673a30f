using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Athos.Simulator;

/// <summary>
/// A <c>GET /calls</c> query, validated as the tenant's contract says. Early: <c>source</c> optional (and only
/// <c>roleplay</c> exists), filters <c>externalUserId</c>/<c>externalAgencyId</c>, every call on <c>endedAt</c>.
/// Current: <c>source</c> required, <c>roleplay</c> on <c>endedAt</c> and <c>real_call</c> on <c>startedAt</c>,
/// filters <c>agentId</c>/<c>agencyId</c> (checked against the tenant by the API) and
/// <c>platformAgentId</c>/<c>platformAgencyId</c> (plain), never both names of one entity. A filter of the other
/// contract is an unknown parameter, and ignored like any other.
/// </summary>
internal sealed record ListQuery
{
    public required DateTimeOffset From { get; init; }

    public DateTimeOffset? To { get; init; }

    public int Limit { get; init; } = 50;

    public string? Source { get; init; }

    public string? ExternalUserId { get; init; }

    public string? ExternalAgencyId { get; init; }

    public string? AgentId { get; init; }

    public string? AgencyId { get; init; }

    public string? PlatformAgentId { get; init; }

    public string? PlatformAgencyId { get; init; }

    public ListAxis Axis => Source == SimulatedCall.RealCallSource ? ListAxis.StartedAt : ListAxis.EndedAt;

    /// <summary>Binds a cursor to the query it came from: any other query refuses it.</summary>
    public uint Hash
    {
        get
        {
            var text = $"{From.UtcTicks}|{To?.UtcTicks}|{Source}|{ExternalUserId}|{ExternalAgencyId}|{AgentId}|{AgencyId}|{PlatformAgentId}|{PlatformAgencyId}";
            return BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        }
    }

    /// <summary>The query, or <see langword="null"/> and the <c>INVALID_REQUEST</c> message.</summary>
    public static ListQuery? Parse(IQueryCollection query, AthosContract contract, out string error)
    {
        if (!TryParseTime(query["from"], "from", required: true, out var from, out error)
            || !TryParseTime(query["to"], "to", required: false, out var to, out error))
        {
            return null;
        }

        var limit = 50;
        if (query.TryGetValue("limit", out var limitText) && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            error = "limit must be an integer between 1 and 100.";
            return null;
        }

        var source = NullIfEmpty(query["source"]);
        if (contract == AthosContract.Early)
        {
            if (source is not (null or SimulatedCall.RoleplaySource))
            {
                error = "source must be roleplay.";
                return null;
            }

            return new ListQuery { From = from!.Value, To = to, Limit = limit, Source = source, ExternalUserId = query["externalUserId"], ExternalAgencyId = query["externalAgencyId"] };
        }

        if (source is null)
        {
            error = "source is required.";
            return null;
        }

        if (source is not (SimulatedCall.RoleplaySource or SimulatedCall.RealCallSource))
        {
            error = "source must be roleplay or real_call.";
            return null;
        }

        string? agent = query["agentId"], platformAgent = query["platformAgentId"], agency = query["agencyId"], platformAgency = query["platformAgencyId"];
        if (agent is not null && platformAgent is not null)
        {
            error = "Give agentId or platformAgentId, not both.";
            return null;
        }

        if (agency is not null && platformAgency is not null)
        {
            error = "Give agencyId or platformAgencyId, not both.";
            return null;
        }

        return new ListQuery { From = from!.Value, To = to, Limit = limit, Source = source, AgentId = agent, AgencyId = agency, PlatformAgentId = platformAgent, PlatformAgencyId = platformAgency };
    }

    /// <summary>The call's time on this query's axis: what <c>from</c>/<c>to</c> bound and the rows are ordered by.</summary>
    public DateTimeOffset AxisOf(SimulatedCall call) => Axis == ListAxis.StartedAt ? call.StartedAt : call.EndedAt;

    public bool Matches(SimulatedCall call)
    {
        var at = AxisOf(call);
        return at >= From && (To is null || at <= To)
            && (Source is null || call.Source == Source)
            && (ExternalUserId is null || call.ExternalUserId == ExternalUserId)
            && (ExternalAgencyId is null || call.ExternalAgencyId == ExternalAgencyId)
            && (AgentId is null || call.AgentId == AgentId)
            && (AgencyId is null || call.AgencyId == AgencyId)
            && (PlatformAgentId is null || call.ExternalUserId == PlatformAgentId)
            && (PlatformAgencyId is null || call.ExternalAgencyId == PlatformAgencyId);
    }

    private static bool TryParseTime(string? text, string name, bool required, out DateTimeOffset? time, out string error)
    {
        time = null;
        error = string.Empty;
        if (string.IsNullOrEmpty(text))
        {
            error = required ? name + " is required." : string.Empty;
            return !required;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            time = parsed;
            return true;
        }

        error = name + " must be an ISO 8601 date-time.";
        return false;
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
