using System.Diagnostics;
using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Tests.Fixtures;

namespace Athos.Webhooks.Tests.AthosApi;

/// <summary>The Athos client against the simulator over real HTTP.</summary>
public sealed class AthosClientContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private AthosSimulator _simulator = null!;

    public async ValueTask InitializeAsync() => _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 7 });

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Paging_over_three_pages_returns_every_scored_call_once_newest_first()
    {
        var calls = _simulator.AddCalls(260, Now.AddDays(-2), Now.AddMinutes(-1));
        var scored = calls.Where(c => c.State == CallState.Scored).ToList();
        Assert.InRange(scored.Count, 201, 259);
        await using var app = await StartAppAsync();

        var listed = await ListAllAsync(app, new CallListQuery(CallSources.Roleplay, Now.AddDays(-3)));

        Assert.Equal(3, _simulator.Requests.ListRequests);
        Assert.Equal(scored.Select(c => c.Id).Order(), listed.Select(c => c.Id).Order());
        Assert.Equal(listed.Count, listed.Select(c => c.Id).Distinct().Count());
        Assert.Equal(listed.OrderByDescending(c => c.EndedAt).Select(c => c.EndedAt), listed.Select(c => c.EndedAt));
    }

    [Fact]
    public async Task From_and_to_are_both_inclusive_on_endedAt()
    {
        var t1 = new DateTimeOffset(2026, 6, 5, 14, 0, 0, TimeSpan.Zero);
        var first = AddScoredCall(t1);
        var middle = AddScoredCall(t1.AddMinutes(30));
        var last = AddScoredCall(t1.AddHours(1));
        AddScoredCall(t1.AddMilliseconds(-1));
        AddScoredCall(t1.AddHours(1).AddMilliseconds(1));
        await using var app = await StartAppAsync();

        var inclusive = await ListAllAsync(app, new CallListQuery(CallSources.Roleplay, t1, t1.AddHours(1)));
        var exclusive = await ListAllAsync(app, new CallListQuery(CallSources.Roleplay, t1.AddMilliseconds(1), t1.AddHours(1).AddMilliseconds(-1)));

        Assert.Equal([last.Id, middle.Id, first.Id], inclusive.Select(c => c.Id));
        Assert.Equal([middle.Id], exclusive.Select(c => c.Id));
    }

    [Fact]
    public async Task Detail_keeps_the_raw_score_and_transcript_and_unknown_fields()
    {
        var call = AddScoredCall(Now.AddHours(-1)) with { };
        _simulator.Calls.Update(call.Id, c => c with
        {
            ExtraFields = new Dictionary<string, System.Text.Json.JsonElement> { ["dispositionCode"] = Json("\"SALE\"") },
            ExtraScoreFields = new Dictionary<string, System.Text.Json.JsonElement> { ["complianceScorecard"] = Json("""{"soa":true,"items":[1,2]}""") },
        });
        await using var app = await StartAppAsync();

        var response = await app.Get<AthosClient>().GetCallAsync(CallId.Parse(call.Id), TestContext.Current.CancellationToken);

        var detail = response.Call;
        Assert.Equal(call.Id, detail.Id);
        Assert.Equal(call.ScoredAt, detail.ScoredAt);
        Assert.Equal(call.OverallScore, detail.ParseScore().OverallScore);
        Assert.Equal(call.Feedback, detail.ParseScore().Feedback);
        Assert.True(detail.Score!.Value.GetProperty("complianceScorecard").GetProperty("soa").GetBoolean());
        Assert.Equal(CallGenerator.TranscriptOf(call).Count, System.Text.Json.JsonDocument.Parse(response.RawJson).RootElement.GetProperty("transcript").GetArrayLength());
        Assert.False(detail.AdditionalProperties?.ContainsKey("transcript") ?? false, "the transcript is not copied into the model");
        Assert.Equal("SALE", detail.AdditionalProperties!["dispositionCode"].GetString());
        Assert.StartsWith("req_", response.RequestId, StringComparison.Ordinal);
        Assert.Equal(detail.Id, System.Text.Json.JsonDocument.Parse(response.RawJson).RootElement.GetProperty("id").GetString());
    }

    public static TheoryData<int, string, string> ErrorCodes => new()
    {
        { 400, "INVALID_REQUEST", nameof(AthosErrorKind.InvalidRequest) },
        { 401, "INVALID_API_KEY", nameof(AthosErrorKind.Configuration) },
        { 401, "API_KEY_REVOKED", nameof(AthosErrorKind.Configuration) },
        { 403, "IP_NOT_ALLOWED", nameof(AthosErrorKind.Configuration) },
        { 403, "TENANT_INACTIVE", nameof(AthosErrorKind.Configuration) },
        { 403, "TENANT_QUOTA_EXCEEDED", nameof(AthosErrorKind.Configuration) },
        { 404, "CALL_NOT_FOUND", nameof(AthosErrorKind.NotFound) },
        { 500, "INTERNAL_ERROR", nameof(AthosErrorKind.Transient) },
        { 503, "SERVICE_UNAVAILABLE", nameof(AthosErrorKind.Transient) },
        { 429, "SOMETHING_NEW", nameof(AthosErrorKind.Transient) },
        { 409, "SOMETHING_NEW", nameof(AthosErrorKind.InvalidRequest) },
    };

    [Theory]
    [MemberData(nameof(ErrorCodes))]
    public async Task Every_error_code_maps_to_its_class_with_the_request_id(int status, string code, string kind)
    {
        var expected = Enum.Parse<AthosErrorKind>(kind);
        var call = AddScoredCall(Now.AddHours(-1));
        _simulator.Faults.Add(_ => true, new FaultResponse(status, code));
        await using var app = await StartAppAsync(("ATHOS_HTTP_MAX_RETRIES", "1"), ("ATHOS_HTTP_RETRY_DELAY", "00:00:00.010"));

        var error = await Assert.ThrowsAsync<AthosApiException>(() => app.Get<AthosClient>().GetCallAsync(CallId.Parse(call.Id), TestContext.Current.CancellationToken));

        Assert.Equal(expected, error.Kind);
        Assert.Equal(status, error.Status);
        Assert.Equal(code, error.ErrorCode);
        Assert.Matches("^req_[0-9a-f-]{36}$", error.RequestId);
        Assert.Contains(error.RequestId!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_api_key_is_a_configuration_error_from_the_real_auth_check()
    {
        var call = AddScoredCall(Now.AddHours(-1));
        await using var app = await StartAppAsync(("ATHOS_API_KEY", "ath_live_wrong"));

        var error = await Assert.ThrowsAsync<AthosApiException>(() => app.Get<AthosClient>().GetCallAsync(CallId.Parse(call.Id), TestContext.Current.CancellationToken));

        Assert.Equal(new { Kind = AthosErrorKind.Configuration, Status = (int?)401, ErrorCode = (string?)"INVALID_API_KEY" }, new { error.Kind, error.Status, error.ErrorCode });
        Assert.Equal(1, _simulator.Requests.Total);
    }

    [Fact]
    public async Task A_404_without_the_Athos_envelope_means_a_wrong_base_url_not_a_missing_call()
    {
        var call = AddScoredCall(Now.AddHours(-1));
        await using var app = await StartAppAsync(("ATHOS_BASE_URL", new Uri(_simulator.BaseUrl, "/elsewhere/v1").ToString()));

        var error = await Assert.ThrowsAsync<AthosApiException>(() => app.Get<AthosClient>().GetCallAsync(CallId.Parse(call.Id), TestContext.Current.CancellationToken));

        Assert.Equal(AthosErrorKind.Configuration, error.Kind);
        Assert.Null(error.ErrorCode);
    }

    [Fact]
    public async Task A_CALL_NOT_FOUND_is_not_retried()
    {
        await using var app = await StartAppAsync();

        var error = await Assert.ThrowsAsync<AthosApiException>(() => app.Get<AthosClient>().GetCallAsync(CallId.Parse("athos_call_doesnotexist"), TestContext.Current.CancellationToken));

        Assert.Equal(AthosErrorKind.NotFound, error.Kind);
        Assert.Equal(1, _simulator.Requests.DetailRequestsFor("athos_call_doesnotexist"));
    }

    [Fact]
    public async Task A_429_with_Retry_After_in_seconds_is_waited_out()
    {
        var call = AddScoredCall(Now.AddHours(-1));
        _simulator.Faults.FailNext(1, FaultResponse.Throttled(TimeSpan.FromSeconds(2)));
        await using var app = await StartAppAsync(("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050"));

        var watch = Stopwatch.StartNew();
        var response = await app.Get<AthosClient>().GetCallAsync(CallId.Parse(call.Id), TestContext.Current.CancellationToken);

        // The back-off alone would be about 50 ms; only the header explains two seconds.
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.95), $"retried after {watch.Elapsed}");
        Assert.Equal(call.Id, response.Call.Id);
        Assert.Equal(2, _simulator.Requests.DetailRequestsFor(call.Id));
    }

    [Fact]
    public async Task A_429_with_Retry_After_as_an_HTTP_date_is_waited_out()
    {
        var call = AddScoredCall(Now.AddHours(-1));
        _simulator.Faults.FailNext(1, new FaultResponse(429, "RATE_LIMITED", TimeSpan.FromSeconds(3), RetryAfterAsDate: true));
        await using var app = await StartAppAsync(("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050"));

        var watch = Stopwatch.StartNew();
        await app.Get<AthosClient>().GetCallAsync(CallId.Parse(call.Id), TestContext.Current.CancellationToken);

        // An HTTP date has whole seconds: three seconds ahead is at least two from now.
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.95), $"retried after {watch.Elapsed}");
        Assert.Equal(2, _simulator.Requests.DetailRequestsFor(call.Id));
    }

    [Fact]
    public async Task A_503_then_a_200_succeeds()
    {
        var call = AddScoredCall(Now.AddHours(-1));
        _simulator.Faults.FailNext(1, FaultResponse.ServiceUnavailable);
        await using var app = await StartAppAsync(("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050"));

        var response = await app.Get<AthosClient>().GetCallAsync(CallId.Parse(call.Id), TestContext.Current.CancellationToken);

        Assert.Equal(call.Id, response.Call.Id);
        Assert.Equal(2, _simulator.Requests.DetailRequestsFor(call.Id));
    }

    [Fact]
    public async Task A_persistent_500_fails_within_the_total_budget()
    {
        var call = AddScoredCall(Now.AddHours(-1));
        _simulator.Faults.Add(_ => true, FaultResponse.InternalError);
        await using var app = await StartAppAsync(
            ("ATHOS_HTTP_TOTAL_TIMEOUT", "00:00:03"),
            ("ATHOS_HTTP_ATTEMPT_TIMEOUT", "00:00:01"),
            ("ATHOS_HTTP_RETRY_DELAY", "00:00:00.200"),
            ("ATHOS_HTTP_MAX_RETRIES", "10"));

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<AthosApiException>(() => app.Get<AthosClient>().GetCallAsync(CallId.Parse(call.Id), TestContext.Current.CancellationToken));

        Assert.Equal(AthosErrorKind.Transient, error.Kind);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3) + TimeSpan.FromSeconds(2), $"gave up after {watch.Elapsed}");
        Assert.True(_simulator.Requests.DetailRequestsFor(call.Id) >= 3, "it retried before giving up");
    }

    [Fact]
    public async Task A_slow_Athos_is_cut_off_by_the_attempt_timeout_and_retried()
    {
        var call = AddScoredCall(Now.AddHours(-1));
        _simulator.Faults.Latency = TimeSpan.FromSeconds(3);
        await using var app = await StartAppAsync(
            ("ATHOS_HTTP_TOTAL_TIMEOUT", "00:00:02.500"),
            ("ATHOS_HTTP_ATTEMPT_TIMEOUT", "00:00:01"),
            ("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050"));

        var error = await Assert.ThrowsAsync<AthosApiException>(() => app.Get<AthosClient>().GetCallAsync(CallId.Parse(call.Id), TestContext.Current.CancellationToken));

        Assert.Equal(AthosErrorKind.Transient, error.Kind);
        Assert.True(_simulator.Requests.DetailRequestsFor(call.Id) >= 2);
    }

    [Fact]
    public async Task A_forged_cursor_is_an_invalid_request()
    {
        AddScoredCall(Now.AddHours(-1));
        await using var app = await StartAppAsync();

        var error = await Assert.ThrowsAsync<AthosApiException>(() => app.Get<AthosClient>().ListCallsPageAsync(new CallListQuery(CallSources.Roleplay, Now.AddDays(-1)), "eyJmb3JnZWQiOnRydWV9", TestContext.Current.CancellationToken));

        Assert.Equal(new { Kind = AthosErrorKind.InvalidRequest, ErrorCode = (string?)"INVALID_REQUEST" }, new { error.Kind, error.ErrorCode });
    }

    [Theory]
    [InlineData("athos_call_a/b")]
    [InlineData("athos_call_../etc")]
    [InlineData("athos_call_a?b=c")]
    [InlineData("athos_call_a%2Fb")]
    [InlineData("athos_call_a#b")]
    [InlineData("athos_call_a\"b")]
    [InlineData("athos_call_a'b")]
    [InlineData("athos_call_a b")]
    [InlineData("athos_call_")]
    [InlineData("call_abc")]
    [InlineData("")]
    public async Task An_unsafe_call_id_is_refused_before_any_request(string callId)
    {
        await using var app = await StartAppAsync();
        var client = app.Get<AthosClient>();

        var error = await Assert.ThrowsAsync<FormatException>(() => client.GetCallAsync(CallId.Parse(callId), TestContext.Current.CancellationToken));

        Assert.Contains("call id", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _simulator.Requests.Total);
    }

    [Fact]
    public async Task A_call_id_over_128_characters_is_refused_before_any_request()
    {
        await using var app = await StartAppAsync();
        var callId = CallId.Prefix + new string('a', 128 - CallId.Prefix.Length + 1);

        var error = await Assert.ThrowsAsync<FormatException>(() => app.Get<AthosClient>().GetCallAsync(CallId.Parse(callId), TestContext.Current.CancellationToken));

        Assert.Contains("at most 128", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _simulator.Requests.Total);
        Assert.True(CallId.TryParse(callId[..128], out _), "128 characters are allowed");
    }

    private SimulatedCall AddScoredCall(DateTimeOffset endedAt)
    {
        var call = _simulator.Generator.Generate(endedAt);
        if (call.State != CallState.Scored)
        {
            call = _simulator.Generator.Rescore(call, endedAt.AddMinutes(1));
        }

        _simulator.Calls.Add(call);
        return call;
    }

    private static System.Text.Json.JsonElement Json(string text) => System.Text.Json.JsonDocument.Parse(text).RootElement.Clone();

    private Task<TestApp> StartAppAsync(params (string Name, string? Value)[] overrides) =>
        TestApp.StartAsync(_simulator, null, overrides);

    private static async Task<List<CallSummary>> ListAllAsync(TestApp app, CallListQuery query)
    {
        var calls = new List<CallSummary>();
        await foreach (var page in app.Get<CallPager>().PagesAsync(query, TestContext.Current.CancellationToken))
        {
            calls.AddRange(page.Data);
        }

        return calls;
    }
}
