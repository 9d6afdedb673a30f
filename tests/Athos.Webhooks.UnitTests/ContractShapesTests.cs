using System.Text;
using System.Text.Json;
using Athos.Webhooks.AthosApi;

namespace Athos.Webhooks.UnitTests;

/// <summary>Both of Athos's contracts read by the same models: which one a call came in, and whose ids are whose.</summary>
public sealed class ContractShapesTests
{
    [Fact]
    public void An_early_list_row_is_the_early_contract_and_its_external_ids_are_the_customers()
    {
        var row = Row("""{"id":"athos_call_a","source":"roleplay","externalUserId":"rep_1","externalAgencyId":"agency_x","durationSec":37}""");

        Assert.Equal(new { Contract = AthosContract.Early, CustomerUserId = (string?)"rep_1", CustomerAgencyId = (string?)"agency_x", AgentId = (string?)null }, new { row.Contract, row.CustomerUserId, row.CustomerAgencyId, row.AgentId });
    }

    [Theory]
    [InlineData("\"rep_1\"", "\"agency_x\"", "rep_1", "agency_x")]
    [InlineData("null", "null", null, null)]
    public void A_current_list_row_is_the_current_contract_with_both_id_families(string platformAgent, string platformAgency, string? customerUser, string? customerAgency)
    {
        var row = Row($$"""{"id":"athos_call_a","source":"real_call","agentId":"athos_agent_1","agencyId":"athos_agency_1","platformAgentId":{{platformAgent}},"platformAgencyId":{{platformAgency}},"durationSec":37}""");

        Assert.Equal(new { Contract = AthosContract.Current, CustomerUserId = customerUser, CustomerAgencyId = customerAgency, AgentId = (string?)"athos_agent_1", AgencyId = (string?)"athos_agency_1" }, new { row.Contract, row.CustomerUserId, row.CustomerAgencyId, row.AgentId, row.AgencyId });
    }

    [Theory]
    [InlineData("roleplay", "2026-06-05T14:40:17Z")]
    [InlineData("real_call", "2026-06-05T14:39:40Z")]
    [InlineData("something_new", "2026-06-05T14:40:17Z")]
    public void The_list_time_is_endedAt_for_roleplay_and_startedAt_for_real_calls(string source, string expected)
    {
        var row = Row($$"""{"id":"athos_call_a","source":"{{source}}","startedAt":"2026-06-05T14:39:40Z","endedAt":"2026-06-05T14:40:17Z","durationSec":37}""");

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), row.ListTime());
    }

    [Theory]
    [InlineData("""{"overallScore":82,"summary":"s","feedback":"f","complianceScorecard":{"totalScore":91.5,"sections":[]}}""", "roleplay", 82.0, 91.5)]
    [InlineData("""{"overallScore":82,"summary":"s","feedback":"f"}""", "roleplay", 82.0, null)]
    [InlineData("""{"overallScore":82,"complianceScorecard":{"sections":[{"name":"SOA","passed":true}]}}""", "roleplay", 82.0, null)]
    [InlineData("""{"overallScore":82,"complianceScorecard":{"totalScore":"91"}}""", "roleplay", 82.0, null)]
    [InlineData("""{"overallScore":82,"complianceScorecard":null}""", "roleplay", 82.0, null)]
    [InlineData("""{"overallScore":0,"complianceScorecard":{"totalScore":0}}""", "real_call", null, 0.0)]
    [InlineData("""{"overallScore":0}""", "roleplay", 0.0, null)]
    [InlineData("""{"overallScore":74}""", "real_call", 74.0, null)]
    public void Scores_read_tolerantly_with_not_assessed_never_zero(string score, string source, double? overall, double? compliance)
    {
        var parsed = CallScore.From(JsonDocument.Parse(score).RootElement, source);

        Assert.Equal(new { OverallScore = overall, ComplianceTotalScore = compliance }, new { parsed.OverallScore, parsed.ComplianceTotalScore });
    }

    private static CallSummary Row(string json) =>
        JsonSerializer.Deserialize(Encoding.UTF8.GetBytes(json), AthosJsonContext.Default.CallSummary)!;
}
