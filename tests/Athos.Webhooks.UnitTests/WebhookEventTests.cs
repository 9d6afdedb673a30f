using System.Text;
using Athos.Webhooks.Webhooks;

namespace Athos.Webhooks.UnitTests;

/// <summary>A verified <c>call.scored</c> body read in both of Athos's contracts; anything wrong named by code and field.</summary>
public sealed class WebhookEventTests
{
    [Theory]
    [InlineData("""{"event":"call.scored","success":true,"callId":"athos_call_a","occurredAt":"2026-06-05T14:40:54Z","externalUserId":"rep_1","externalAgencyId":"ag_1"}""", "rep_1", "ag_1", null)]
    [InlineData("""{"event":"call.scored","success":true,"callId":"athos_call_a","occurredAt":"2026-06-05T14:40:54Z","agentId":"athos_agent_1","agencyId":"athos_agency_1","platformAgentId":"rep_1","platformAgencyId":null}""", "rep_1", null, "athos_agent_1")]
    [InlineData("""{"event":"call.scored","success":false,"callId":"athos_call_a","occurredAt":"2026-06-05T14:40:54Z","agentId":"athos_agent_1","platformAgentId":null,"reason":"SCORING_INCOMPLETE"}""", null, null, "athos_agent_1")]
    public void Both_contracts_give_the_customer_s_ids_and_Athos_s(string body, string? user, string? agency, string? agent)
    {
        var parsed = WebhookEventParser.Parse(Encoding.UTF8.GetBytes(body));

        Assert.Null(parsed.Rejection);
        Assert.Null(parsed.UnhandledEvent);
        Assert.Equal(new { ExternalUserId = user, ExternalAgencyId = agency, AgentId = agent }, new { parsed.Event!.ExternalUserId, parsed.Event.ExternalAgencyId, parsed.Event.AgentId });
    }

    [Theory]
    [InlineData("not json", WebhookErrorCodes.InvalidJson, null)]
    [InlineData("[1,2]", WebhookErrorCodes.NotAnObject, null)]
    [InlineData("""{"success":true,"callId":"athos_call_a","occurredAt":"2026-06-05T14:40:54Z"}""", WebhookErrorCodes.MissingField, "event")]
    [InlineData("""{"event":"call.scored","callId":"athos_call_a","occurredAt":"2026-06-05T14:40:54Z"}""", WebhookErrorCodes.MissingField, "success")]
    [InlineData("""{"event":"call.scored","success":"yes","callId":"athos_call_a","occurredAt":"2026-06-05T14:40:54Z"}""", WebhookErrorCodes.InvalidField, "success")]
    [InlineData("""{"event":"call.scored","success":true,"occurredAt":"2026-06-05T14:40:54Z"}""", WebhookErrorCodes.MissingField, "callId")]
    [InlineData("""{"event":"call.scored","success":true,"callId":"call_123","occurredAt":"2026-06-05T14:40:54Z"}""", WebhookErrorCodes.InvalidCallId, "callId")]
    [InlineData("""{"event":"call.scored","success":true,"callId":"athos_call_a","occurredAt":"soon"}""", WebhookErrorCodes.InvalidField, "occurredAt")]
    [InlineData("""{"event":"call.scored","success":true,"callId":"athos_call_\ud800","occurredAt":"2026-06-05T14:40:54Z"}""", WebhookErrorCodes.InvalidJson, null)]
    public void A_bad_body_is_a_400_naming_the_code_and_the_field(string body, string code, string? field)
    {
        var rejection = WebhookEventParser.Parse(Encoding.UTF8.GetBytes(body)).Rejection;

        Assert.Equal(new { StatusCode = 400, Code = code, Field = field }, new { rejection!.StatusCode, rejection.Error!.Code, rejection.Error.Field });
    }

    [Fact]
    public void Invalid_UTF_8_is_a_400_not_a_crash()
    {
        var rejection = WebhookEventParser.Parse(new byte[] { 0x7b, 0xff, 0xfe, 0x7d }).Rejection;

        Assert.Equal(WebhookErrorCodes.InvalidJson, rejection!.Error!.Code);
    }

    [Fact]
    public void Another_event_type_is_named_not_refused()
    {
        var parsed = WebhookEventParser.Parse(Encoding.UTF8.GetBytes("""{"event":"call.transcribed","requestId":"req_1"}"""));

        Assert.Equal(WebhookEventParseResult.Unhandled("call.transcribed", "req_1"), parsed);
    }
}
