using System.Text.Json;
using Athos.Simulator;
using Athos.Webhooks.Tests.Fixtures;
using static Athos.Webhooks.Tests.Simulator.SimulatorHttp;

namespace Athos.Webhooks.Tests.Simulator;

/// <summary>The JSON each contract writes: list rows, details and webhooks, with the ids, roles and keys of that contract only.</summary>
public sealed class SimulatorContractShapeTests : IAsyncLifetime
{
    private static readonly string[] EarlyIdKeys = ["externalUserId", "externalAgencyId"];
    private static readonly string[] CurrentIdKeys = ["agentId", "agencyId", "platformAgentId", "platformAgencyId"];
    private CapturingReceiver _receiver = null!;

    public async ValueTask InitializeAsync() => _receiver = await CapturingReceiver.StartAsync();

    public async ValueTask DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task Current_rows_details_and_webhooks_carry_agent_and_platform_ids_and_no_external_ids()
    {
        await using var simulator = await StartAsync(AthosContract.Current);
        using var http = ApiClient(simulator);
        var calls = simulator.AddCalls(120, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow);
        var from = Iso(DateTimeOffset.UtcNow.AddDays(-2));

        var rows = (await http.ListAllAsync($"calls?source=roleplay&from={from}&limit=100")).Concat(await http.ListAllAsync($"calls?source=real_call&from={from}&limit=100")).ToList();
        var details = new List<JsonElement>();
        foreach (var row in rows.Take(10))
        {
            details.Add(await http.GetJsonAsync($"calls/{row.Id()}"));
        }

        var unregistered = calls.First(c => c.State == CallState.Scored && c.ExternalUserId is null);
        details.Add(await http.GetJsonAsync($"calls/{unregistered.Id}"));
        await simulator.Webhooks.DeliverAsync(calls.First(c => c.State == CallState.Scored), _receiver.Url, TestContext.Current.CancellationToken);
        using var webhook = JsonDocument.Parse(Assert.Single(_receiver.Requests).Body);

        Assert.Equal(calls.Count(c => c.State == CallState.Scored), rows.Count);
        foreach (var shape in rows.Concat(details).Append(webhook.RootElement))
        {
            Assert.All(CurrentIdKeys, key => Assert.True(shape.TryGetProperty(key, out _), $"{key} is present"));
            Assert.All(EarlyIdKeys, key => Assert.False(shape.TryGetProperty(key, out _), $"{key} is absent"));
            Assert.StartsWith("athos_agent_", shape.GetProperty("agentId").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("athos_agency_", shape.GetProperty("agencyId").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(JsonValueKind.Null, details[^1].GetProperty("platformAgentId").ValueKind);
        var row0 = calls.Single(c => c.Id == rows[0].Id());
        Assert.Equal(row0.AgentId, rows[0].GetProperty("agentId").GetString());
        Assert.Equal(row0.ExternalUserId, rows[0].GetProperty("platformAgentId").GetString());
    }

    [Fact]
    public async Task Early_rows_details_and_webhooks_are_unchanged_and_carry_no_athos_ids()
    {
        await using var simulator = await StartAsync(AthosContract.Early);
        using var http = ApiClient(simulator);
        var call = simulator.AddCalls(20, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow).First(c => c.State == CallState.Scored);

        var row = (await http.GetJsonAsync($"calls?from={Iso(DateTimeOffset.UtcNow.AddDays(-1))}")).GetProperty("data").EnumerateArray().Single(r => r.Id() == call.Id);
        var detail = await http.GetJsonAsync($"calls/{call.Id}");
        await simulator.Webhooks.DeliverAsync(call, _receiver.Url, TestContext.Current.CancellationToken);
        using var webhook = JsonDocument.Parse(Assert.Single(_receiver.Requests).Body);

        Assert.Equal(["id", "source", "externalUserId", "externalAgencyId", "drillKey", "startedAt", "endedAt", "durationSec", "scoredAt"], row.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["event", "success", "callId", "source", "externalUserId", "externalAgencyId", "occurredAt", "requestId"], webhook.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(call.ExternalUserId, detail.GetProperty("externalUserId").GetString());
        Assert.All(CurrentIdKeys, key => Assert.False(detail.TryGetProperty(key, out _), $"{key} is absent"));
        Assert.Equal(["overallScore", "summary", "feedback"], detail.GetProperty("score").EnumerateObject().Select(p => p.Name));
        Assert.All(detail.GetProperty("transcript").EnumerateArray(), t => Assert.Contains(t.GetProperty("role").GetString(), new[] { "user", "assistant" }));
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("audioUrl").ValueKind);
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("audioUrlExpiresAt").ValueKind);
    }

    [Fact]
    public async Task Current_real_calls_have_no_drill_and_agent_and_beneficiary_turns_with_start_and_end_times()
    {
        await using var simulator = await StartAsync(AthosContract.Current);
        using var http = ApiClient(simulator);
        var calls = simulator.AddCalls(40, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow).Where(c => c.State == CallState.Scored).ToList();
        var real = calls.First(c => c.IsRealCall);
        var roleplay = calls.First(c => !c.IsRealCall);

        var realDetail = await http.GetJsonAsync($"calls/{real.Id}");
        var roleplayDetail = await http.GetJsonAsync($"calls/{roleplay.Id}");

        Assert.Equal("real_call", realDetail.GetProperty("source").GetString());
        Assert.Equal(JsonValueKind.Null, realDetail.GetProperty("drillKey").ValueKind);
        Assert.NotNull(roleplayDetail.GetProperty("drillKey").GetString());
        var duration = realDetail.GetProperty("durationSec").GetInt32();
        Assert.All(realDetail.GetProperty("transcript").EnumerateArray(), turn =>
        {
            Assert.Contains(turn.GetProperty("role").GetString(), new[] { "agent", "beneficiary" });
            var start = turn.GetProperty("startTime").GetDouble();
            var end = turn.GetProperty("endTime").GetDouble();
            Assert.InRange(start, 0, end);
            Assert.InRange(end, start, duration);
        });
        Assert.All(roleplayDetail.GetProperty("transcript").EnumerateArray(), turn =>
        {
            Assert.Contains(turn.GetProperty("role").GetString(), new[] { "agent", "beneficiary" });
            Assert.False(turn.TryGetProperty("startTime", out _));
        });
    }

    [Fact]
    public async Task Current_scores_carry_a_compliance_scorecard_headed_by_totalScore_only_when_the_call_has_one()
    {
        await using var simulator = await StartAsync(AthosContract.Current);
        using var http = ApiClient(simulator);
        var calls = simulator.AddCalls(80, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow).Where(c => c.State == CallState.Scored).ToList();
        var assessed = calls.First(c => c.ComplianceScorecard is not null);
        var notAssessed = calls.First(c => c.ComplianceScorecard is null);
        var blank = simulator.Calls.Update(notAssessed.Id, c => c with { Summary = string.Empty, Feedback = string.Empty });

        var withScorecard = (await http.GetJsonAsync($"calls/{assessed.Id}")).GetProperty("score");
        var withoutScorecard = (await http.GetJsonAsync($"calls/{blank.Id}")).GetProperty("score");

        var scorecard = withScorecard.GetProperty("complianceScorecard");
        Assert.Equal("totalScore", scorecard.EnumerateObject().First().Name);
        Assert.InRange(scorecard.GetProperty("totalScore").GetDouble(), 0, 100);
        Assert.True(scorecard.GetProperty("sections").GetArrayLength() > 0);
        Assert.Equal(assessed.ComplianceScorecard!.Value.GetRawText(), scorecard.GetRawText());
        Assert.False(withoutScorecard.TryGetProperty("complianceScorecard", out _), "an unassessed call has no key at all");
        Assert.Equal(string.Empty, withoutScorecard.GetProperty("summary").GetString());
        Assert.Equal(string.Empty, withoutScorecard.GetProperty("feedback").GetString());
    }

    [Fact]
    public async Task A_current_success_false_webhook_may_carry_null_platform_ids_for_a_registered_rep()
    {
        await using var simulator = await StartAsync(AthosContract.Current);
        var registered = simulator.Generator.Generate(DateTimeOffset.UtcNow.AddMinutes(-5)) with { ExternalUserId = "rep_4242", ExternalAgencyId = "agency_tampa" };
        var failed = registered with { State = CallState.Failed, ScoredAt = null, FailureReason = "SCORING_INCOMPLETE", FailureMessage = "Too short." };

        await simulator.Webhooks.DeliverAsync(failed with { WebhookOmitsPlatformIds = true }, _receiver.Url, TestContext.Current.CancellationToken);
        await simulator.Webhooks.DeliverAsync(failed with { WebhookOmitsPlatformIds = false }, _receiver.Url, TestContext.Current.CancellationToken);

        var bodies = _receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).ToArray();
        Assert.All(bodies, b => Assert.False(b.GetProperty("success").GetBoolean()));
        Assert.All(bodies, b => Assert.Equal(failed.AgentId, b.GetProperty("agentId").GetString()));
        Assert.All(bodies, b => Assert.Equal("SCORING_INCOMPLETE", b.GetProperty("reason").GetString()));
        Assert.Single(bodies, b => b.GetProperty("platformAgentId").ValueKind == JsonValueKind.Null && b.GetProperty("platformAgencyId").ValueKind == JsonValueKind.Null);
        Assert.Single(bodies, b => b.GetProperty("platformAgentId").GetString() == "rep_4242");
    }

    private static Task<AthosSimulator> StartAsync(AthosContract contract) =>
        AthosSimulator.StartAsync(new SimulatorOptions { Seed = 31, Contract = contract }, cancellationToken: TestContext.Current.CancellationToken);
}
