using Athos.Simulator;
using Athos.Webhooks.Tests.Fixtures;
using static Athos.Webhooks.Tests.Simulator.SimulatorHttp;

namespace Athos.Webhooks.Tests.Simulator;

/// <summary>A real call re-dispositioned by the dialer changes without a webhook; a rescore still sends one.</summary>
public sealed class SimulatorRedispositionTests : IAsyncLifetime
{
    private AthosSimulator _simulator = null!;
    private CapturingReceiver _receiver = null!;
    private HttpClient _api = null!;

    public async ValueTask InitializeAsync()
    {
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 61, Contract = AthosContract.Current });
        _receiver = await CapturingReceiver.StartAsync();
        _simulator.Webhooks.Target = _receiver.Url;
        _api = ApiClient(_simulator);
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        await _simulator.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Redisposition_changes_the_score_and_scoredAt_and_sends_no_webhook_while_Rescore_still_does()
    {
        var now = DateTimeOffset.UtcNow;
        var call = ScoredCall(_simulator, SimulatedCall.RealCallSource, now.AddMinutes(-40), now.AddMinutes(-10));
        _simulator.Calls.Add(call);
        await _simulator.Webhooks.WhenIdleAsync(TestContext.Current.CancellationToken);
        var before = await _api.GetJsonAsync($"calls/{call.Id}");
        var later = now.AddHours(2);

        var redispositioned = _simulator.Redisposition(call.Id, later);
        await _simulator.Webhooks.WhenIdleAsync(TestContext.Current.CancellationToken);
        var after = await _api.GetJsonAsync($"calls/{call.Id}");
        var deliveriesAfterRedisposition = _simulator.Webhooks.Deliveries.Count;
        _simulator.Rescore(call.Id, later.AddHours(1));
        await _simulator.Webhooks.WhenIdleAsync(TestContext.Current.CancellationToken);

        Assert.NotEqual(before.GetProperty("score").GetProperty("overallScore").GetDouble(), after.GetProperty("score").GetProperty("overallScore").GetDouble());
        Assert.Equal(redispositioned.OverallScore, after.GetProperty("score").GetProperty("overallScore").GetDouble());
        Assert.Equal(later.UtcTicks - (later.UtcTicks % TimeSpan.TicksPerMillisecond), after.GetProperty("scoredAt").GetDateTimeOffset().UtcTicks);
        Assert.True(after.GetProperty("updatedAt").GetDateTimeOffset() > before.GetProperty("updatedAt").GetDateTimeOffset());
        Assert.Equal(1, deliveriesAfterRedisposition);
        Assert.Equal(2, _simulator.Webhooks.Deliveries.Count);
        Assert.Equal(2, _receiver.Requests.Count);
        Assert.All(_simulator.Webhooks.Deliveries, d => Assert.Equal(call.Id, d.CallId));
    }

    [Fact]
    public void Only_a_scored_real_call_is_redispositioned()
    {
        var now = DateTimeOffset.UtcNow;
        var roleplay = ScoredCall(_simulator, SimulatedCall.RoleplaySource, now.AddMinutes(-20), now.AddMinutes(-10));
        var failed = ScoredCall(_simulator, SimulatedCall.RealCallSource, now.AddMinutes(-20), now.AddMinutes(-10)) with { State = CallState.Failed, ScoredAt = null };
        _simulator.Calls.AddRange([roleplay, failed]);

        Assert.Throws<InvalidOperationException>(() => _simulator.Redisposition(roleplay.Id));
        Assert.Throws<InvalidOperationException>(() => _simulator.Redisposition(failed.Id));
        Assert.Throws<KeyNotFoundException>(() => _simulator.Redisposition("athos_call_unknown"));
    }

    [Fact]
    public async Task A_change_made_without_notifying_raises_no_Changed_event()
    {
        var now = DateTimeOffset.UtcNow;
        var call = ScoredCall(_simulator, SimulatedCall.RoleplaySource, now.AddMinutes(-20), now.AddMinutes(-10));
        _simulator.Calls.Add(call);
        var changes = new List<string>();
        _simulator.Calls.Changed += c => changes.Add(c.Id);

        _simulator.Calls.Update(call.Id, c => c with { Summary = "quiet" }, notify: false);
        _simulator.Calls.Update(call.Id, c => c with { Summary = "loud" });
        await _simulator.Webhooks.WhenIdleAsync(TestContext.Current.CancellationToken);

        Assert.Equal([call.Id], changes);
    }
}
