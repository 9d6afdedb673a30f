using System.Diagnostics;
using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Tests.Fixtures;

namespace Athos.Webhooks.Tests.AthosApi;

/// <summary>
/// The client's share of the retry budget, against the simulator over real HTTP: a long <c>Retry-After</c> is handed
/// to the caller instead of slept on, concurrency is capped per instance, and one bad call cannot open the breaker.
/// </summary>
public sealed class AthosClientResilienceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private AthosSimulator _simulator = null!;

    public async ValueTask InitializeAsync() => _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 11, FailureRate = 0 });

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    public static TheoryData<int, string, bool> LongWaits => new()
    {
        { 429, "RATE_LIMITED", false },
        { 503, "SERVICE_UNAVAILABLE", false },
        { 429, "RATE_LIMITED", true },
        { 503, "SERVICE_UNAVAILABLE", true },
    };

    [Theory]
    [MemberData(nameof(LongWaits))]
    public async Task A_Retry_After_beyond_the_budget_is_not_slept_on_but_handed_to_the_caller(int status, string code, bool asDate)
    {
        var call = _simulator.AddCalls(1, Now.AddHours(-2), Now.AddHours(-1))[0];
        _simulator.Faults.Add(r => r.Operation == ApiOperation.Detail, new FaultResponse(status, code, TimeSpan.FromSeconds(300), RetryAfterAsDate: asDate));
        await using var app = await StartAppAsync(("ATHOS_HTTP_TOTAL_TIMEOUT", "00:00:10"), ("ATHOS_HTTP_ATTEMPT_TIMEOUT", "00:00:02"));

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<AthosApiException>(() => app.Get<AthosClient>().GetCallAsync(CallId.Parse(call.Id), TestContext.Current.CancellationToken));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"gave up after {watch.Elapsed}, not at once");
        Assert.Equal(1, _simulator.Requests.DetailRequestsFor(call.Id));
        Assert.Equal(new { Kind = AthosErrorKind.Transient, Status = (int?)status }, new { error.Kind, error.Status });
        Assert.NotNull(error.RetryAfter);
        // An HTTP date has whole seconds and is read a moment after it was written.
        Assert.InRange(error.RetryAfter.Value, TimeSpan.FromSeconds(asDate ? 297 : 300), TimeSpan.FromSeconds(300));
    }

    [Fact]
    public async Task The_budget_left_counts_from_the_first_attempt_not_the_latest()
    {
        var call = _simulator.AddCalls(1, Now.AddHours(-2), Now.AddHours(-1))[0];
        _simulator.Faults.Add(r => r.Operation == ApiOperation.Detail, new FaultResponse(503, "SERVICE_UNAVAILABLE", TimeSpan.FromSeconds(3)), times: 1);
        _simulator.Faults.Add(r => r.Operation == ApiOperation.Detail, new FaultResponse(503, "SERVICE_UNAVAILABLE", TimeSpan.FromSeconds(6)));
        await using var app = await StartAppAsync(("ATHOS_HTTP_TOTAL_TIMEOUT", "00:00:10"), ("ATHOS_HTTP_ATTEMPT_TIMEOUT", "00:00:02"));

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<AthosApiException>(() => app.Get<AthosClient>().GetCallAsync(CallId.Parse(call.Id), TestContext.Current.CancellationToken));

        // 3 s waited of 10: 6 s more and a 2 s attempt would fit a fresh budget, but not what is left of this one.
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(5));
        Assert.Equal(2, _simulator.Requests.DetailRequestsFor(call.Id));
        Assert.Equal(TimeSpan.FromSeconds(6), error.RetryAfter);
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == LogEvents.AthosWaitBeyondBudget);
    }

    [Fact]
    public async Task A_long_Retry_After_on_a_list_page_is_handed_to_the_caller_too()
    {
        _simulator.AddCalls(3, Now.AddHours(-2), Now.AddHours(-1));
        _simulator.Faults.Add(r => r.Operation == ApiOperation.List, FaultResponse.Throttled(TimeSpan.FromMinutes(2)));
        await using var app = await StartAppAsync();

        var error = await Assert.ThrowsAsync<AthosApiException>(() => app.Get<AthosClient>().ListCallsPageAsync(new CallListQuery(CallSources.Roleplay, Now.AddDays(-1)), null, TestContext.Current.CancellationToken));

        Assert.Equal(TimeSpan.FromMinutes(2), error.RetryAfter);
        Assert.Equal(1, _simulator.Requests.ListRequests);
    }

    [Fact]
    public async Task A_short_Retry_After_is_still_waited_out_and_reported_once_the_retries_are_spent()
    {
        var call = _simulator.AddCalls(1, Now.AddHours(-2), Now.AddHours(-1))[0];
        _simulator.Faults.Add(r => r.Operation == ApiOperation.Detail, new FaultResponse(503, "SERVICE_UNAVAILABLE", TimeSpan.FromSeconds(1)));
        await using var app = await StartAppAsync(("ATHOS_HTTP_MAX_RETRIES", "1"));

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<AthosApiException>(() => app.Get<AthosClient>().GetCallAsync(CallId.Parse(call.Id), TestContext.Current.CancellationToken));

        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.95), $"the one-second wait was honoured ({watch.Elapsed})");
        Assert.Equal(2, _simulator.Requests.DetailRequestsFor(call.Id));
        Assert.Equal(TimeSpan.FromSeconds(1), error.RetryAfter);
    }

    [Fact]
    public async Task A_500_carries_no_Retry_After()
    {
        var call = _simulator.AddCalls(1, Now.AddHours(-2), Now.AddHours(-1))[0];
        _simulator.Faults.Add(r => r.Operation == ApiOperation.Detail, FaultResponse.InternalError);
        await using var app = await StartAppAsync(("ATHOS_HTTP_MAX_RETRIES", "1"), ("ATHOS_HTTP_RETRY_DELAY", "00:00:00.010"));

        var error = await Assert.ThrowsAsync<AthosApiException>(() => app.Get<AthosClient>().GetCallAsync(CallId.Parse(call.Id), TestContext.Current.CancellationToken));

        Assert.Equal(new { Status = (int?)500, RetryAfter = (TimeSpan?)null }, new { error.Status, error.RetryAfter });
    }

    [Fact]
    public async Task Concurrent_requests_are_capped_per_instance_and_the_rest_wait_their_turn()
    {
        var calls = _simulator.AddCalls(12, Now.AddHours(-2), Now.AddHours(-1));
        _simulator.Faults.Latency = TimeSpan.FromMilliseconds(250);
        await using var app = await StartAppAsync(("ATHOS_HTTP_MAX_CONCURRENCY", "3"));
        var client = app.Get<AthosClient>();

        var details = await Task.WhenAll(calls.Select(c => client.GetCallAsync(CallId.Parse(c.Id), TestContext.Current.CancellationToken)));

        Assert.Equal(calls.Select(c => c.Id), details.Select(d => d.Call.Id));
        Assert.Equal(3, _simulator.Requests.PeakInFlight);
        Assert.Equal(12, _simulator.Requests.DetailRequests);
    }

    [Fact]
    public async Task One_call_whose_detail_always_fails_does_not_fail_other_calls()
    {
        var calls = _simulator.AddCalls(25, Now.AddHours(-2), Now.AddHours(-1));
        var bad = calls[0];
        _simulator.Faults.Add(r => r.Operation == ApiOperation.Detail && r.CallId == bad.Id, FaultResponse.InternalError);
        await using var app = await StartAppAsync(("ATHOS_HTTP_MAX_RETRIES", "2"), ("ATHOS_HTTP_RETRY_DELAY", "00:00:00.010"));
        var client = app.Get<AthosClient>();
        var query = new CallListQuery(CallSources.Roleplay, Now.AddDays(-1));

        var failures = new List<string>();
        foreach (var good in calls.Skip(1))
        {
            var error = await Assert.ThrowsAsync<AthosApiException>(() => client.GetCallAsync(CallId.Parse(bad.Id), TestContext.Current.CancellationToken));
            Assert.Equal(new { Kind = AthosErrorKind.Transient, Status = (int?)500 }, new { error.Kind, error.Status });
            try
            {
                Assert.Equal(good.Id, (await client.GetCallAsync(CallId.Parse(good.Id), TestContext.Current.CancellationToken)).Call.Id);
                await client.ListCallsPageAsync(query, null, TestContext.Current.CancellationToken);
            }
            catch (AthosApiException ex)
            {
                failures.Add($"{good.Id}: {ex.Message}");
            }
        }

        Assert.Empty(failures);
        Assert.Equal(3 * 24, _simulator.Requests.DetailRequestsFor(bad.Id));
    }

    [Fact]
    public async Task A_down_Athos_still_opens_the_breaker_and_is_not_hammered()
    {
        var calls = _simulator.AddCalls(15, Now.AddHours(-2), Now.AddHours(-1));
        _simulator.Faults.Add(_ => true, FaultResponse.ServiceUnavailable);
        await using var app = await StartAppAsync(("ATHOS_HTTP_MAX_RETRIES", "1"), ("ATHOS_HTTP_RETRY_DELAY", "00:00:00.010"));
        var client = app.Get<AthosClient>();

        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<AthosApiException>(() => client.GetCallAsync(CallId.Parse(call.Id), TestContext.Current.CancellationToken));
            Assert.Equal(AthosErrorKind.Transient, error.Kind);
        }

        // Without a breaker: 15 calls × 2 attempts. It opens after its minimum throughput of 10 failed attempts.
        Assert.InRange(_simulator.Requests.Total, 10, 12);
    }

    private Task<TestApp> StartAppAsync(params (string Name, string? Value)[] overrides) =>
        TestApp.StartAsync(_simulator, null, overrides);
}
