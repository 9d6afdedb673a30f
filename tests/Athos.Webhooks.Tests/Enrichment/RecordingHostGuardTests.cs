using System.Net;
using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Enrichment;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Tests.Fixtures;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Tests.Enrichment;

/// <summary>
/// A recording link comes from Athos's data, so the download goes only where it may: https, and never to an address
/// of the deployment's own network or the platform's, checked on the address connected to, after DNS, on every redirect.
/// Each case drives <see cref="RecordingArchiver"/> over real HTTP with a real Azurite behind it.
/// </summary>
public sealed class RecordingHostGuardTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    // What a deployment has: Athos over https, nowhere near this machine (nothing here calls it).
    private const string ProductionBaseUrl = "https://app.useathos.ai/api/external/v1";

    private AthosSimulator _simulator = null!;
    private WebApplication _host = null!;
    private Uri _hostUrl = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 808, Contract = Athos.Simulator.AthosContract.Current, FailureRate = 0 });

        // A recording host of the test's own: one route redirects to a private address, two serve bytes as labelled.
        (_host, _hostUrl) = await LoopbackServer.StartAsync(host =>
        {
            host.MapGet("/to-private.ogg", () => Results.Redirect("http://10.0.0.1/recording.ogg"));
            host.MapGet("/html.ogg", () => Results.Bytes("<script>alert(1)</script>"u8.ToArray(), "text/html"));
            host.MapGet("/opus.ogg", () => Results.Bytes([1, 2, 3], "audio/ogg; codecs=opus"));
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.200.0.9", "loopback")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.254", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.254", "carrier-grade NAT")]
    [InlineData("168.63.129.16", "platform")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("255.255.255.255", "reserved")]
    [InlineData("::", "unspecified")]
    [InlineData("::1", "loopback")]
    [InlineData("fc00::1", "unique-local")]
    [InlineData("fd12:3456::1", "unique-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:168.63.129.16", "platform")]
    [InlineData("::a9fe:a9fe", "IPv4-compatible")]
    [InlineData("::ffff:0:a9fe:a9fe", "IPv4-translated")]
    [InlineData("64:ff9b::a9fe:a9fe", "link-local")]
    [InlineData("64:ff9b::a00:1", "private")]
    [InlineData("64:ff9b:1::a00:1", "local-use NAT64")]
    [InlineData("2002:a9fe:a9fe::1", "6to4")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo")]
    [InlineData("fec0::1", "site-local")]
    [InlineData("198.18.0.1", "reserved")]
    [InlineData("192.0.0.170", "reserved")]
    public async Task A_link_to_a_refused_address_is_never_connected_to_and_fails_with_the_reason(string address, string what)
    {
        await using var app = await StartAppAsync(ProductionBaseUrl);
        var port = RunnerProcess.FreePort();
        var host = IPAddress.Parse(address).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address;

        var copy = await ArchiveAsync(app, $"https://{host}:{port}/recording.ogg");

        Assert.Equal(RecordingStatus.Failed, copy.Status);
        Assert.Contains(what, copy.Error, StringComparison.Ordinal);
        Assert.Contains("never connected to", copy.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("20.60.1.2")]
    [InlineData("100.63.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("168.63.129.17")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2606:4700::6810:84e5")]
    public async Task A_public_address_is_allowed(string address)
    {
        await using var app = await StartAppAsync(ProductionBaseUrl);

        Assert.Null(app.Get<RecordingHostGuard>().Refuse(IPAddress.Parse(address)));
    }

    [Fact]
    public async Task A_production_shaped_deployment_refuses_plain_http_and_loopback_even_where_a_recording_is_served()
    {
        await using var app = await StartAppAsync(ProductionBaseUrl);
        var served = new Uri(_hostUrl, "/opus.ogg");

        var overHttp = await ArchiveAsync(app, served.ToString());
        var overHttps = await ArchiveAsync(app, new UriBuilder(served) { Scheme = "https" }.ToString());

        Assert.Equal(new { Status = (string?)RecordingStatus.Failed, Error = (string?)"Athos gave a recording link that is not an absolute https URL (plain http only while ATHOS_BASE_URL is a loopback address); it was not fetched." }, new { overHttp.Status, overHttp.Error });
        Assert.Equal(RecordingStatus.Failed, overHttps.Status);
        Assert.Contains("is a loopback address (127.0.0.1)", overHttps.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_to_a_private_address_is_refused_on_its_hop()
    {
        await using var app = await StartAppAsync(_simulator.BaseUrl.ToString());

        var copy = await ArchiveAsync(app, new Uri(_hostUrl, "/to-private.ogg").ToString());

        Assert.Equal(RecordingStatus.Failed, copy.Status);
        Assert.Contains("The recording host 10.0.0.1 is a private address (10.0.0.1)", copy.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ProductionBaseUrl, "https://metadata.example.test/recording.ogg", "169.254.169.254", "link-local")]
    [InlineData(ProductionBaseUrl, "https://cdn.example.test/recording.ogg", "10.20.30.40", "private")]
    [InlineData("LOOPBACK", "http://files.example.test/recording.ogg", "192.168.7.7", "private")]
    public async Task A_name_that_resolves_to_a_refused_address_is_refused(string baseUrl, string link, string resolvesTo, string what)
    {
        await using var app = await StartAppAsync(baseUrl == "LOOPBACK" ? _simulator.BaseUrl.ToString() : baseUrl, (_, _) => Task.FromResult(new[] { IPAddress.Parse(resolvesTo) }));

        var copy = await ArchiveAsync(app, link);

        Assert.Equal(RecordingStatus.Failed, copy.Status);
        Assert.Contains($"is a {what}", copy.Error, StringComparison.Ordinal);
        Assert.Contains($"({resolvesTo})", copy.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/html.ogg", "application/octet-stream")]
    [InlineData("/opus.ogg", "audio/ogg")]
    public async Task A_recording_is_stored_with_its_content_type_only_when_that_says_audio(string path, string stored)
    {
        await using var app = await StartAppAsync(_simulator.BaseUrl.ToString());
        var callId = "athos_call_type" + path.Length;

        var copy = await ArchiveAsync(app, new Uri(_hostUrl, path).ToString(), callId);

        Assert.Equal(RecordingStatus.Archived, copy.Status);
        var blob = new BlobContainerClient(storage.ConnectionString, StorageNames.RecordingsContainer).GetBlobClient(RecordingArchive.BlobName(callId));
        Assert.Equal(stored, (await blob.GetPropertiesAsync(cancellationToken: TestContext.Current.CancellationToken)).Value.ContentType);
    }

    private Task<TestApp> StartAppAsync(string baseUrl, HostAddresses? resolve = null) =>
        TestApp.StartAsync(
            _simulator,
            storage.Azurite,
            [("ATHOS_BASE_URL", baseUrl)],
            services =>
            {
                if (resolve is not null)
                {
                    services.AddSingleton(resolve);
                }
            });

    // The copy of a detail whose link is fresh (no renewal, so Athos is not asked), for a call never stored before.
    private static async Task<RecordingCopy> ArchiveAsync(TestApp app, string link, string callId = "athos_call_guarded")
    {
        var detail = new CallDetail { Id = callId, ScoredAt = DateTimeOffset.UtcNow, AudioUrl = link, AudioUrlExpiresAt = DateTimeOffset.UtcNow.AddHours(1) };
        return await app.Get<RecordingArchiver>().ArchiveAsync(CallId.Parse(callId), detail, CallVersion.Scored(detail.ScoredAt, null), null, resume: false, CancellationToken.None, TestContext.Current.CancellationToken);
    }
}
