using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Athos.Simulator;

namespace Athos.Webhooks.Tests.Simulator;

/// <summary>The simulator's API against openapi.yaml, with a raw HttpClient (no product code involved).</summary>
public sealed class SimulatorApiTests : IAsyncLifetime
{
    private AthosSimulator _simulator = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 3 });
        _http = new HttpClient { BaseAddress = new Uri(_simulator.BaseUrl + "/") };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _simulator.ApiKey);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _simulator.DisposeAsync();
    }

    [Theory]
    [InlineData("calls?limit=10", "from is required.")]
    [InlineData("calls?from=yesterday", "from must be an ISO 8601 date-time.")]
    [InlineData("calls?from=2026-01-01T00:00:00Z&to=soon", "to must be an ISO 8601 date-time.")]
    [InlineData("calls?from=2026-01-01T00:00:00Z&limit=0", "limit must be an integer between 1 and 100.")]
    [InlineData("calls?from=2026-01-01T00:00:00Z&limit=101", "limit must be an integer between 1 and 100.")]
    [InlineData("calls?from=2026-01-01T00:00:00Z&limit=ten", "limit must be an integer between 1 and 100.")]
    [InlineData("calls?from=2026-01-01T00:00:00Z&cursor=bm90LWEtY3Vyc29y", "cursor is invalid or belongs to another query.")]
    public async Task Invalid_list_queries_answer_400_INVALID_REQUEST(string path, string message)
    {
        using var response = await _http.GetAsync(path, TestContext.Current.CancellationToken);

        var error = await ErrorOf(response);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_REQUEST", error.GetProperty("code").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
        Assert.Equal(response.Headers.GetValues("X-Athos-Request-Id").Single(), error.GetProperty("requestId").GetString());
    }

    [Fact]
    public async Task A_cursor_replayed_with_another_query_is_refused()
    {
        _simulator.AddCalls(30, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow);
        using var first = await _http.GetAsync("calls?from=2020-01-01T00:00:00Z&limit=5", TestContext.Current.CancellationToken);
        var cursor = JsonDocument.Parse(await first.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("nextCursor").GetString();

        using var same = await _http.GetAsync($"calls?from=2020-01-01T00:00:00Z&limit=5&cursor={cursor}", TestContext.Current.CancellationToken);
        using var other = await _http.GetAsync($"calls?from=2021-01-01T00:00:00Z&limit=5&cursor={cursor}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
    }

    [Theory]
    [InlineData(null, "INVALID_API_KEY")]
    [InlineData("Bearer ath_live_wrong", "INVALID_API_KEY")]
    [InlineData("Basic YWJjOmRlZg==", "INVALID_API_KEY")]
    [InlineData("Bearer ath_live_revoked", "API_KEY_REVOKED")]
    public async Task Requests_without_the_right_bearer_key_answer_401(string? authorization, string code)
    {
        _simulator.Options.RevokedApiKeys.Add("ath_live_revoked");
        using var request = new HttpRequestMessage(HttpMethod.Get, "calls?from=2026-01-01T00:00:00Z");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var anonymous = new HttpClient { BaseAddress = _http.BaseAddress };
        using var response = await anonymous.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(code, (await ErrorOf(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Failed_and_pending_calls_are_not_listed_and_their_detail_is_404()
    {
        var now = DateTimeOffset.UtcNow;
        var scored = _simulator.Generator.Rescore(_simulator.Generator.Generate(now.AddMinutes(-30)), now.AddMinutes(-29));
        var failed = scored with { Id = _simulator.Generator.NewCallId(), State = CallState.Failed, ScoredAt = null };
        var pending = scored with { Id = _simulator.Generator.NewCallId(), State = CallState.Pending, ScoredAt = null };
        _simulator.Calls.AddRange([scored, failed, pending]);

        using var list = await _http.GetAsync("calls?from=2020-01-01T00:00:00Z", TestContext.Current.CancellationToken);
        var ids = JsonDocument.Parse(await list.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement
            .GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();

        Assert.Equal([scored.Id], ids);
        foreach (var id in new[] { failed.Id, pending.Id, "athos_call_unknown" })
        {
            using var detail = await _http.GetAsync($"calls/{id}", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, detail.StatusCode);
            Assert.Equal("CALL_NOT_FOUND", (await ErrorOf(detail)).GetProperty("code").GetString());
        }

        using var found = await _http.GetAsync($"calls/{scored.Id}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
    }

    [Fact]
    public async Task The_rep_agency_and_source_filters_narrow_the_list()
    {
        var calls = _simulator.AddCalls(300, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow).Where(c => c.State == CallState.Scored).ToList();
        var rep = calls[0].ExternalUserId;
        var agency = calls.First(c => c.ExternalAgencyId is not null).ExternalAgencyId;

        var byRep = await ListIdsAsync($"calls?from=2020-01-01T00:00:00Z&limit=100&externalUserId={rep}");
        var byAgency = await ListIdsAsync($"calls?from=2020-01-01T00:00:00Z&limit=100&externalAgencyId={agency}");
        var bySource = await ListIdsAsync($"calls?from=2020-01-01T00:00:00Z&limit=100&source=roleplay&externalUserId={rep}");

        Assert.Equal(calls.Where(c => c.ExternalUserId == rep).Select(c => c.Id).Order(), byRep.Order());
        Assert.Equal(calls.Where(c => c.ExternalAgencyId == agency).Select(c => c.Id).Order(), byAgency.Order());
        Assert.Equal(byRep.Order(), bySource.Order());
    }

    [Theory]
    [InlineData("real_call")]
    [InlineData("ingestion")]
    public async Task The_early_list_refuses_any_source_but_roleplay_with_400(string source)
    {
        using var response = await _http.GetAsync($"calls?from=2020-01-01T00:00:00Z&source={source}", TestContext.Current.CancellationToken);

        var error = await ErrorOf(response);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_REQUEST", error.GetProperty("code").GetString());
        Assert.Equal("source must be roleplay.", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_early_list_serves_source_roleplay_and_no_source_alike()
    {
        var scored = _simulator.AddCalls(40, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow).Where(c => c.State == CallState.Scored).Select(c => c.Id).Order().ToList();

        var withSource = await ListIdsAsync("calls?from=2020-01-01T00:00:00Z&limit=100&source=roleplay");
        var withoutSource = await ListIdsAsync("calls?from=2020-01-01T00:00:00Z&limit=100");

        Assert.Equal(scored, withSource.Order());
        Assert.Equal(scored, withoutSource.Order());
    }

    [Fact]
    public async Task Every_answer_carries_a_request_id_and_details_have_the_documented_shape()
    {
        var call = _simulator.AddCalls(20, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow).First(c => c.State == CallState.Scored);

        using var response = await _http.GetAsync($"calls/{call.Id}", TestContext.Current.CancellationToken);

        Assert.Matches("^req_[0-9a-f-]{36}$", response.Headers.GetValues("X-Athos-Request-Id").Single());
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        foreach (var field in new[] { "id", "source", "status", "externalUserId", "externalAgencyId", "drillKey", "startedAt", "endedAt", "durationSec", "scoredAt", "transcript", "score", "audioUrl", "audioUrlExpiresAt", "waveform", "createdAt", "updatedAt" })
        {
            Assert.True(detail.TryGetProperty(field, out _), $"detail has {field}");
        }

        Assert.Equal("scored", detail.GetProperty("status").GetString());
        Assert.InRange(detail.GetProperty("transcript").GetArrayLength(), 20, 80);
        Assert.Equal(call.OverallScore, detail.GetProperty("score").GetProperty("overallScore").GetDouble());
    }

    [Fact]
    public void The_generator_is_deterministic_for_a_seed()
    {
        var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var a = new CallGenerator(99).Generate(50, from, from.AddDays(1));
        var b = new CallGenerator(99).Generate(50, from, from.AddDays(1));
        var c = new CallGenerator(100).Generate(50, from, from.AddDays(1));

        Assert.Equal(a.Select(Fingerprint), b.Select(Fingerprint));
        Assert.NotEqual(a.Select(x => x.Id), c.Select(x => x.Id));
        Assert.Contains(a, x => x.State == CallState.Failed || x.ExternalAgencyId is null || x.DrillKey != "ma-full-sale");
        Assert.All(a, x => Assert.InRange(x.OverallScore ?? 50, 0, 100));
    }

    private static string Fingerprint(SimulatedCall call) =>
        $"{call.Id}|{call.ExternalUserId}|{call.ExternalAgencyId}|{call.DrillKey}|{call.EndedAt:O}|{call.State}|{call.ScoredAt:O}|{call.OverallScore}|{call.Summary}|{call.TranscriptSeed}";

    private async Task<List<string>> ListIdsAsync(string path)
    {
        using var response = await _http.GetAsync(path, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return [.. JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement
            .GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];
    }

    private static async Task<JsonElement> ErrorOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
}
