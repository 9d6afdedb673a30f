using System.Net;
using Athos.Simulator;
using static Athos.Webhooks.Tests.Simulator.SimulatorHttp;

namespace Athos.Webhooks.Tests.Simulator;

/// <summary>The list endpoint under the later contract: a required source, a time axis per source, Athos's and the customer's ids.</summary>
public sealed class SimulatorCurrentListTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 5, 12, 0, 0, TimeSpan.Zero);
    private AthosSimulator _simulator = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 21, Contract = AthosContract.Current });
        _http = ApiClient(_simulator);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _simulator.DisposeAsync();
    }

    [Theory]
    [InlineData("calls?from=2026-01-01T00:00:00Z", "source is required.")]
    [InlineData("calls?from=2026-01-01T00:00:00Z&source=", "source is required.")]
    [InlineData("calls?from=2026-01-01T00:00:00Z&source=ingestion", "source must be roleplay or real_call.")]
    [InlineData("calls?source=real_call", "from is required.")]
    [InlineData("calls?from=2026-01-01T00:00:00Z&source=real_call&limit=0", "limit must be an integer between 1 and 100.")]
    [InlineData("calls?from=2026-01-01T00:00:00Z&source=real_call&limit=101", "limit must be an integer between 1 and 100.")]
    [InlineData("calls?from=2026-01-01T00:00:00Z&source=roleplay&agentId=athos_agent_a&platformAgentId=rep_1000", "Give agentId or platformAgentId, not both.")]
    [InlineData("calls?from=2026-01-01T00:00:00Z&source=real_call&agencyId=athos_agency_a&platformAgencyId=agency_tampa", "Give agencyId or platformAgencyId, not both.")]
    [InlineData("calls?from=2026-01-01T00:00:00Z&source=real_call&cursor=bm90LWEtY3Vyc29y", "cursor is invalid or belongs to another query.")]
    public async Task Current_list_requires_a_known_source_and_refuses_bad_queries_with_400(string path, string message)
    {
        var (status, error) = await _http.GetErrorAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("INVALID_REQUEST", error.GetProperty("code").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Real_calls_are_bounded_and_ordered_on_startedAt_and_roleplay_calls_on_endedAt()
    {
        // The window is [T0, T0 + 1h]. Each pair differs in which of its two times falls inside it.
        var realStartedInside = Add(SimulatedCall.RealCallSource, T0.AddMinutes(10), T0.AddHours(2));
        var realStartedLater = Add(SimulatedCall.RealCallSource, T0.AddMinutes(30), T0.AddMinutes(35));
        var realEndedInsideOnly = Add(SimulatedCall.RealCallSource, T0.AddMinutes(-30), T0.AddMinutes(10));
        var roleplayEndedInside = Add(SimulatedCall.RoleplaySource, T0.AddMinutes(-20), T0.AddMinutes(45));
        var roleplayEndedEarlier = Add(SimulatedCall.RoleplaySource, T0.AddMinutes(5), T0.AddMinutes(40));
        var roleplayStartedInsideOnly = Add(SimulatedCall.RoleplaySource, T0.AddMinutes(50), T0.AddMinutes(70));
        var window = $"from={Iso(T0)}&to={Iso(T0.AddHours(1))}";

        var real = await _http.GetJsonAsync($"calls?source=real_call&{window}");
        var roleplay = await _http.GetJsonAsync($"calls?source=roleplay&{window}");

        // Newest startedAt first for real calls (endedAt would put them the other way round)...
        Assert.Equal([realStartedLater.Id, realStartedInside.Id], real.GetProperty("data").EnumerateArray().Select(r => r.Id()));
        // ...and newest endedAt first for roleplay (startedAt would put them the other way round).
        Assert.Equal([roleplayEndedInside.Id, roleplayEndedEarlier.Id], roleplay.GetProperty("data").EnumerateArray().Select(r => r.Id()));
        Assert.DoesNotContain(realEndedInsideOnly.Id, real.GetProperty("data").EnumerateArray().Select(r => r.Id()));
        Assert.DoesNotContain(roleplayStartedInsideOnly.Id, roleplay.GetProperty("data").EnumerateArray().Select(r => r.Id()));
    }

    [Fact]
    public async Task Paging_with_the_same_source_returns_each_call_of_that_source_once_and_a_cursor_is_bound_to_its_source()
    {
        var scored = _simulator.AddCalls(300, T0.AddDays(-2), T0).Where(c => c.State == CallState.Scored).ToList();
        var from = Iso(T0.AddDays(-3));

        var real = await _http.ListAllAsync($"calls?source=real_call&from={from}&limit=17");
        var roleplay = await _http.ListAllAsync($"calls?source=roleplay&from={from}&limit=100");

        Assert.Equal(scored.Where(c => c.IsRealCall).Select(c => c.Id).Order(), real.Select(r => r.Id()).Order());
        Assert.Equal(scored.Where(c => !c.IsRealCall).Select(c => c.Id).Order(), roleplay.Select(r => r.Id()).Order());
        var startedAt = real.Select(r => r.GetProperty("startedAt").GetDateTimeOffset()).ToList();
        Assert.Equal(startedAt.OrderDescending(), startedAt);

        var firstPage = await _http.GetJsonAsync($"calls?source=real_call&from={from}&limit=17");
        var cursor = Uri.EscapeDataString(firstPage.GetProperty("nextCursor").GetString()!);
        var (status, _) = await _http.GetErrorAsync($"calls?source=roleplay&from={from}&limit=17&cursor={cursor}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task Agent_agency_and_platform_id_filters_narrow_the_list()
    {
        var scored = _simulator.AddCalls(300, T0.AddDays(-1), T0).Where(c => c.State == CallState.Scored && c.IsRealCall).ToList();
        var sample = scored.First(c => c.ExternalUserId is not null && c.ExternalAgencyId is not null);
        var query = $"calls?source=real_call&from={Iso(T0.AddDays(-2))}&limit=100";

        var byAgent = await _http.ListAllAsync($"{query}&agentId={sample.AgentId}");
        var byAgency = await _http.ListAllAsync($"{query}&agencyId={sample.AgencyId}");
        var byPlatformAgent = await _http.ListAllAsync($"{query}&platformAgentId={sample.ExternalUserId}");
        var byPlatformAgency = await _http.ListAllAsync($"{query}&platformAgencyId={sample.ExternalAgencyId}");

        Assert.Equal(scored.Where(c => c.AgentId == sample.AgentId).Select(c => c.Id).Order(), byAgent.Select(r => r.Id()).Order());
        Assert.Equal(scored.Where(c => c.AgencyId == sample.AgencyId).Select(c => c.Id).Order(), byAgency.Select(r => r.Id()).Order());
        Assert.Equal(scored.Where(c => c.ExternalUserId == sample.ExternalUserId).Select(c => c.Id).Order(), byPlatformAgent.Select(r => r.Id()).Order());
        Assert.Equal(scored.Where(c => c.ExternalAgencyId == sample.ExternalAgencyId).Select(c => c.Id).Order(), byPlatformAgency.Select(r => r.Id()).Order());
        Assert.True(byAgency.Count > byAgent.Count, "an agency has several agents");
        Assert.All(byAgent, r => Assert.Equal(sample.AgentId, r.GetProperty("agentId").GetString()));
    }

    [Fact]
    public async Task Unknown_or_foreign_agent_and_agency_ids_answer_404_and_unknown_platform_ids_an_empty_list()
    {
        _simulator.AddCalls(20, T0.AddHours(-1), T0);
        await using var otherTenant = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 22, Contract = AthosContract.Current }, cancellationToken: TestContext.Current.CancellationToken);
        var query = $"calls?source=roleplay&from={Iso(T0.AddDays(-1))}";

        var (unknownAgent, agentError) = await _http.GetErrorAsync($"{query}&agentId=athos_agent_nobody");
        var (foreignAgent, _) = await _http.GetErrorAsync($"{query}&agentId={otherTenant.Generator.AgentIds[0]}");
        var (unknownAgency, agencyError) = await _http.GetErrorAsync($"{query}&agencyId=athos_agency_nowhere");
        var unknownPlatformAgent = await _http.GetJsonAsync($"{query}&platformAgentId=rep_nobody");
        var unknownPlatformAgency = await _http.GetJsonAsync($"{query}&platformAgencyId=agency_nowhere");

        Assert.Equal(HttpStatusCode.NotFound, unknownAgent);
        Assert.Equal("AGENT_NOT_FOUND", agentError.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, foreignAgent);
        Assert.Equal(HttpStatusCode.NotFound, unknownAgency);
        Assert.Equal("AGENCY_NOT_FOUND", agencyError.GetProperty("code").GetString());
        Assert.Equal(0, unknownPlatformAgent.GetProperty("data").GetArrayLength());
        Assert.Equal(0, unknownPlatformAgency.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task An_agent_of_the_tenant_without_calls_yet_is_known_and_lists_nothing()
    {
        var quiet = _simulator.Generator.AgentIds[^1];

        var page = await _http.GetJsonAsync($"calls?source=real_call&from={Iso(T0.AddDays(-1))}&agentId={quiet}");

        Assert.Equal(0, page.GetProperty("data").GetArrayLength());
    }

    private SimulatedCall Add(string source, DateTimeOffset startedAt, DateTimeOffset endedAt)
    {
        var call = ScoredCall(_simulator, source, startedAt, endedAt);
        _simulator.Calls.Add(call);
        return call;
    }
}
