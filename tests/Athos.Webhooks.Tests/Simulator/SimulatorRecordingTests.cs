using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Athos.Simulator;
using Microsoft.Extensions.Time.Testing;
using static Athos.Webhooks.Tests.Simulator.SimulatorHttp;

namespace Athos.Webhooks.Tests.Simulator;

/// <summary>
/// Recordings under the later contract: the detail's signed, expiring <c>audioUrl</c> and the host behind it, which
/// serves <c>GET</c> (whole or ranged) and refuses <c>HEAD</c>, bearer tokens, bad signatures and expired links.
/// </summary>
public sealed class SimulatorRecordingTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 5, 12, 0, 0, TimeSpan.Zero));
    private AthosSimulator _simulator = null!;
    private HttpClient _api = null!;

    // The recording host gets no API key: the link is its own credential.
    private HttpClient _plain = null!;

    public async ValueTask InitializeAsync()
    {
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 41, Contract = AthosContract.Current }, time: _time);
        _api = ApiClient(_simulator);
        _plain = new HttpClient();
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        _plain.Dispose();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task The_detail_links_to_the_recording_for_an_hour_and_GET_returns_exactly_its_bytes()
    {
        var call = AddCallWithRecording();

        var detail = await _api.GetJsonAsync($"calls/{call.Id}");
        var url = detail.GetProperty("audioUrl").GetString()!;
        using var response = await _plain.GetAsync(url, TestContext.Current.CancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromHours(1), detail.GetProperty("audioUrlExpiresAt").GetDateTimeOffset());
        Assert.Matches(@"^http://127\.0\.0\.1:\d+/recordings/athos_call_[A-Za-z0-9_-]+\.ogg\?expires=\d+&sig=[0-9a-f]{64}$", url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/ogg", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(call.RecordingBytes, response.Content.Headers.ContentLength);
        Assert.Equal(SimulatedRecording.ContentOf(call), bytes);
        Assert.Equal("OggS"u8.ToArray(), bytes[..4]);
        Assert.Equal(1, _simulator.Requests.RecordingRequestsFor(call.Id));
    }

    [Fact]
    public async Task A_ranged_GET_answers_206_with_just_those_bytes()
    {
        var call = AddCallWithRecording();
        var url = await LinkAsync(call);
        var expected = SimulatedRecording.ContentOf(call);

        using var first = await RangedGetAsync(url, 0, 0);
        using var middle = await RangedGetAsync(url, 1000, 1999);

        Assert.Equal(HttpStatusCode.PartialContent, first.StatusCode);
        Assert.Equal(expected[..1], await first.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal($"bytes 0-0/{call.RecordingBytes}", first.Content.Headers.ContentRange!.ToString());
        Assert.Equal(1, first.Content.Headers.ContentLength);
        Assert.Equal(HttpStatusCode.PartialContent, middle.StatusCode);
        Assert.Equal(expected[1000..2000], await middle.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task SimulatedRecording_OpenRead_streams_the_same_bytes_as_ContentOf()
    {
        var call = AddCallWithRecording();
        await using var stream = SimulatedRecording.OpenRead(call);
        using var copy = new MemoryStream();
        stream.Seek(3, SeekOrigin.Begin);
        await stream.CopyToAsync(copy, 777, TestContext.Current.CancellationToken);

        Assert.Equal(SimulatedRecording.ContentOf(call)[3..], copy.ToArray());
        Assert.Throws<InvalidOperationException>(() => SimulatedRecording.OpenRead(call with { RecordingBytes = null }));
    }

    [Fact]
    public async Task HEAD_is_refused_with_403_and_counted()
    {
        var url = await LinkAsync(AddCallWithRecording());

        using var request = new HttpRequestMessage(HttpMethod.Head, url);
        using var response = await _plain.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(1, _simulator.Requests.RecordingHeadRequests);
        Assert.Equal(1, _simulator.Requests.RecordingRequests);
    }

    [Fact]
    public async Task A_GET_carrying_an_Authorization_header_is_refused_with_403_and_counted()
    {
        var url = await LinkAsync(AddCallWithRecording());

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _simulator.ApiKey);
        using var response = await _plain.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(1, _simulator.Requests.RecordingRequestsWithAuthorization);
        Assert.Equal(0, _simulator.Requests.RecordingHeadRequests);
    }

    [Fact]
    public async Task An_expired_link_is_refused_with_403_and_a_fresh_detail_gives_a_working_one()
    {
        var call = AddCallWithRecording();
        var url = await LinkAsync(call);

        _time.Advance(TimeSpan.FromHours(1));
        using var lastSecond = await _plain.GetAsync(url, TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromSeconds(1));
        using var expired = await _plain.GetAsync(url, TestContext.Current.CancellationToken);
        using var fresh = await _plain.GetAsync(await LinkAsync(call), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, lastSecond.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        Assert.Contains("LINK_EXPIRED", await expired.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task A_tampered_link_is_refused_with_403()
    {
        var call = AddCallWithRecording();
        var other = AddCallWithRecording();
        var url = await LinkAsync(call);
        var signature = url[(url.IndexOf("&sig=", StringComparison.Ordinal) + 5)..];
        var flipped = url[..^1] + (url[^1] == '0' ? '1' : '0');
        var longer = url.Replace("expires=", "expires=1", StringComparison.Ordinal);
        var otherCall = (await LinkAsync(other))[..^64] + signature;

        foreach (var tampered in new[] { flipped, longer, otherCall, url[..url.IndexOf("&sig=", StringComparison.Ordinal)] })
        {
            using var response = await _plain.GetAsync(tampered, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    [Fact]
    public async Task The_link_is_null_without_a_recording_or_30_days_after_the_call_and_a_deleted_recording_is_gone()
    {
        var now = _time.GetUtcNow();
        var old = Add(ScoredCall(_simulator, SimulatedCall.RealCallSource, now.AddDays(-31), now.AddDays(-31).AddMinutes(20)) with { RecordingBytes = 50_000 });
        var none = Add(ScoredCall(_simulator, SimulatedCall.RoleplaySource, now.AddHours(-1), now.AddMinutes(-50)) with { RecordingBytes = null });
        var nearlyDeleted = Add(ScoredCall(_simulator, SimulatedCall.RoleplaySource, now.AddDays(-30), now.AddDays(-30).AddMinutes(10)) with { RecordingBytes = 50_000 });

        var oldDetail = await _api.GetJsonAsync($"calls/{old.Id}");
        var noneDetail = await _api.GetJsonAsync($"calls/{none.Id}");
        var url = await LinkAsync(nearlyDeleted);
        _time.Advance(TimeSpan.FromMinutes(11));
        using var deleted = await _plain.GetAsync(url, TestContext.Current.CancellationToken);
        var afterDeletion = await _api.GetJsonAsync($"calls/{nearlyDeleted.Id}");

        foreach (var detail in new[] { oldDetail, noneDetail, afterDeletion })
        {
            Assert.Equal(JsonValueKind.Null, detail.GetProperty("audioUrl").ValueKind);
            Assert.Equal(JsonValueKind.Null, detail.GetProperty("audioUrlExpiresAt").ValueKind);
        }

        Assert.Equal(HttpStatusCode.NotFound, deleted.StatusCode);
    }

    [Fact]
    public async Task An_injected_recording_fault_answers_once_then_the_link_works()
    {
        var call = AddCallWithRecording();
        var url = await LinkAsync(call);
        _simulator.Faults.Add(r => r.Operation == ApiOperation.Recording && r.CallId == call.Id, new FaultResponse(403, "LINK_EXPIRED"), times: 1);

        using var faulted = await _plain.GetAsync(url, TestContext.Current.CancellationToken);
        using var retried = await _plain.GetAsync(url, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, faulted.StatusCode);
        Assert.Contains("LINK_EXPIRED", await faulted.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(2, _simulator.Requests.RecordingRequests);
        Assert.Equal(1, _simulator.Requests.DetailRequestsFor(call.Id));
    }

    [Fact]
    public async Task Recording_answers_are_delayed_by_the_configured_latency()
    {
        // Latency waits on the simulator's clock, so this one runs on the real one.
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 42, Contract = AthosContract.Current }, cancellationToken: TestContext.Current.CancellationToken);
        using var api = ApiClient(simulator);
        var call = simulator.AddCalls(10, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow).First(c => c.State == CallState.Scored && c.RecordingBytes is not null);
        var url = (await api.GetJsonAsync($"calls/{call.Id}")).GetProperty("audioUrl").GetString()!;
        simulator.Faults.Latency = TimeSpan.FromMilliseconds(400);

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var response = await _plain.GetAsync(url, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(390), "the answer waited for the latency");
    }

    [Fact]
    public async Task The_early_contract_serves_audioUrl_as_is_without_a_link()
    {
        await using var early = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 43 }, time: _time, cancellationToken: TestContext.Current.CancellationToken);
        using var api = ApiClient(early);
        var call = early.AddCalls(5, _time.GetUtcNow().AddHours(-1), _time.GetUtcNow()).First(c => c.State == CallState.Scored);
        early.Calls.Update(call.Id, c => c with { RecordingBytes = 10_000 });

        var detail = await api.GetJsonAsync($"calls/{call.Id}");

        Assert.Null(call.RecordingBytes);
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("audioUrl").ValueKind);
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("audioUrlExpiresAt").ValueKind);
    }

    private SimulatedCall AddCallWithRecording()
    {
        var now = _time.GetUtcNow();
        return Add(ScoredCall(_simulator, SimulatedCall.RealCallSource, now.AddMinutes(-30), now.AddMinutes(-10)) with { RecordingBytes = 30_000 + _simulator.Calls.Count });
    }

    private SimulatedCall Add(SimulatedCall call)
    {
        _simulator.Calls.Add(call);
        return call;
    }

    private async Task<string> LinkAsync(SimulatedCall call) =>
        (await _api.GetJsonAsync($"calls/{call.Id}")).GetProperty("audioUrl").GetString()!;

    private async Task<HttpResponseMessage> RangedGetAsync(string url, long from, long to)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(from, to);
        return await _plain.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
