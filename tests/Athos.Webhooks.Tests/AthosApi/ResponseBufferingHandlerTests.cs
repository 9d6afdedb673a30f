using System.Diagnostics;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Tests.Fixtures;

namespace Athos.Webhooks.Tests.AthosApi;

/// <summary>
/// Headers then half a body then silence, over real HTTP: every byte of an answer is read inside the attempt timeout
/// and the total budget, so a stalled body is a timed-out attempt, retried like any other.
/// </summary>
public sealed class ResponseBufferingHandlerTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

    // Far beyond the budget: if the client hangs, the test fails here instead of hanging with it.
    private static readonly TimeSpan GenerousLimit = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_detail_whose_body_stalls_fails_as_transient_within_the_total_budget()
    {
        await using var server = await StallingAthosServer.StartAsync(stalls: int.MaxValue);
        await using var app = await StartAppAsync(server);
        using var generous = Generous();

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<AthosApiException>(() => app.Get<AthosClient>().GetCallAsync(CallId.Parse("athos_call_stalled1"), generous.Token));

        Assert.Equal(AthosErrorKind.Transient, error.Kind);
        Assert.True(watch.Elapsed < Budget + TimeSpan.FromSeconds(2), $"gave up after {watch.Elapsed}");
        Assert.True(server.Requests >= 2, $"the stalled attempt was retried ({server.Requests} requests)");
    }

    [Fact]
    public async Task A_list_page_whose_body_stalls_fails_as_transient_within_the_total_budget()
    {
        await using var server = await StallingAthosServer.StartAsync(stalls: int.MaxValue);
        await using var app = await StartAppAsync(server);
        using var generous = Generous();

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<AthosApiException>(() => app.Get<AthosClient>().ListCallsPageAsync(new CallListQuery(CallSources.Roleplay, DateTimeOffset.UtcNow.AddDays(-1)), null, generous.Token));

        Assert.Equal(AthosErrorKind.Transient, error.Kind);
        Assert.True(watch.Elapsed < Budget + TimeSpan.FromSeconds(2), $"gave up after {watch.Elapsed}");
        Assert.True(server.Requests >= 2, $"the stalled attempt was retried ({server.Requests} requests)");
    }

    [Fact]
    public async Task A_detail_that_stalls_once_is_read_completely_on_the_retry()
    {
        await using var server = await StallingAthosServer.StartAsync(stalls: 1);
        await using var app = await StartAppAsync(server);
        using var generous = Generous();

        var response = await app.Get<AthosClient>().GetCallAsync(CallId.Parse("athos_call_stalled2"), generous.Token);

        Assert.Equal(StallingAthosServer.DetailBody("athos_call_stalled2"), response.RawJson.ToArray());
        Assert.Equal(400, System.Text.Json.JsonDocument.Parse(response.RawJson).RootElement.GetProperty("transcript").GetArrayLength());
        Assert.Equal(new { Requests = 2, Abandoned = 1 }, new { server.Requests, server.Abandoned });
    }

    [Fact]
    public async Task A_list_page_that_stalls_once_is_read_completely_on_the_retry()
    {
        await using var server = await StallingAthosServer.StartAsync(stalls: 1);
        await using var app = await StartAppAsync(server);
        using var generous = Generous();

        var page = await app.Get<AthosClient>().ListCallsPageAsync(new CallListQuery(CallSources.Roleplay, DateTimeOffset.UtcNow.AddDays(-1)), null, generous.Token);

        Assert.Equal("athos_call_listed1", Assert.Single(page.Data).Id);
        Assert.Equal(2, server.Requests);
    }

    [Fact]
    public async Task A_body_announced_over_32_MiB_is_refused_without_reading_it_or_retrying()
    {
        await using var server = await StallingAthosServer.StartAsync(stalls: int.MaxValue, declaredLength: (32 * 1024 * 1024) + 1);
        await using var app = await StartAppAsync(server);
        using var generous = Generous();

        var error = await Assert.ThrowsAsync<AthosApiException>(() => app.Get<AthosClient>().GetCallAsync(CallId.Parse("athos_call_huge1"), generous.Token));

        Assert.Equal(AthosErrorKind.Transient, error.Kind);
        Assert.Contains("the limit is 33554432 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.Requests);
    }

    private static CancellationTokenSource Generous()
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        source.CancelAfter(GenerousLimit);
        return source;
    }

    private static Task<TestApp> StartAppAsync(StallingAthosServer server) =>
        TestApp.StartAsync(null, null, [
            ("ATHOS_BASE_URL", server.BaseUrl.ToString()),
            ("ATHOS_HTTP_ATTEMPT_TIMEOUT", "00:00:01"),
            ("ATHOS_HTTP_TOTAL_TIMEOUT", "00:00:03"),
            ("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050"),
        ]);
}
