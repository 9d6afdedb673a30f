using System.Net;
using System.Net.Http.Json;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using Athos.Simulator;
using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Health;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Tests.Infrastructure;
using Athos.Webhooks.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>
/// The runner's backfill and health routes, over real HTTP, protected as Azure protects them: <c>ATHOS_ADMIN_KEY</c> in
/// <c>x-functions-key</c> or <c>?code=</c>, or, with no key set, loopback callers only. The webhook stays anonymous.
/// </summary>
public sealed class RunnerAdminKeyTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string Key = "k3y-for-the-runner-0123456789abcdef";

    private AthosSimulator _simulator = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 77, FailureRate = 0 });
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task With_no_key_set_a_loopback_caller_starts_a_backfill_and_reads_it()
    {
        await using var runner = await StartAsync("http://127.0.0.1:0", key: null);
        using var http = new HttpClient { BaseAddress = Base(runner) };

        using var started = await http.PostAsync(BackfillHttpEndpoint.Path, Range(), TestContext.Current.CancellationToken);
        var job = await started.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        using var read = await http.GetAsync($"{BackfillHttpEndpoint.Path}/{job.GetProperty("jobId").GetString()}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task An_empty_or_blank_key_is_no_key_a_loopback_caller_starts_a_backfill(string key)
    {
        // An app setting cleared in the portal, or `ATHOS_ADMIN_KEY=` in a .env file, reads as an empty value.
        await using var runner = await StartAsync("http://127.0.0.1:0", key);
        using var http = new HttpClient { BaseAddress = Base(runner) };

        using var started = await http.PostAsync(BackfillHttpEndpoint.Path, Range(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
    }

    [Fact]
    public async Task With_a_key_set_backfill_and_health_refuse_a_missing_or_wrong_key_and_accept_the_right_one()
    {
        await using var runner = await StartAsync("http://127.0.0.1:0", Key);
        using var http = new HttpClient { BaseAddress = Base(runner) };

        using var missing = await http.PostAsync(BackfillHttpEndpoint.Path, Range(), TestContext.Current.CancellationToken);
        using var wrong = await SendAsync(http, HttpMethod.Post, BackfillHttpEndpoint.Path, Range(), Key[..^1] + "0");
        using var healthWithout = await http.GetAsync(HealthHttpEndpoint.Path, TestContext.Current.CancellationToken);
        using var started = await SendAsync(http, HttpMethod.Post, BackfillHttpEndpoint.Path, Range(), Key);
        var job = await started.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        using var read = await http.GetAsync($"{BackfillHttpEndpoint.Path}/{job.GetProperty("jobId").GetString()}?code={Key}", TestContext.Current.CancellationToken);
        using var healthWith = await SendAsync(http, HttpMethod.Get, HealthHttpEndpoint.Path, null, Key);

        Assert.Equal(new { StatusCode = HttpStatusCode.Unauthorized, ErrorCode = (string?)"admin_key_required" }, new { missing.StatusCode, ErrorCode = await ErrorCodeAsync(missing) });
        Assert.Equal(new { StatusCode = HttpStatusCode.Unauthorized, ErrorCode = (string?)"admin_key_invalid" }, new { wrong.StatusCode, ErrorCode = await ErrorCodeAsync(wrong) });
        Assert.Equal(new { StatusCode = HttpStatusCode.Unauthorized, ErrorCode = (string?)"admin_key_required" }, new { healthWithout.StatusCode, ErrorCode = await ErrorCodeAsync(healthWithout) });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, healthWith.StatusCode);
    }

    [Fact]
    public async Task With_a_key_set_the_webhook_stays_anonymous()
    {
        await using var runner = await StartAsync("http://127.0.0.1:0", Key);
        using var http = new HttpClient { BaseAddress = Base(runner) };
        var body = WebhookRequests.CallScored("athos_call_anonymous");
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhookHttpEndpoint.Path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(WebhookSignature.HeaderName, WebhookSigner.Header(_simulator.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body));
        request.Headers.Add(WebhookHttpEndpoint.WebhookIdHeader, "wh_anonymous");

        using var answer = await http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
    }

    [Fact]
    public async Task With_no_key_set_a_caller_from_another_address_is_refused()
    {
        var address = NonLoopbackAddress();
        Assert.SkipWhen(address is null, "this machine has no non-loopback IPv4 address to call from");
        await using var runner = await StartAsync($"http://{address}:0", key: null);
        using var http = new HttpClient { BaseAddress = Base(runner) };

        using var refused = await http.PostAsync(BackfillHttpEndpoint.Path, Range(), TestContext.Current.CancellationToken);
        using var health = await http.GetAsync(HealthHttpEndpoint.Path, TestContext.Current.CancellationToken);

        Assert.Equal(new { StatusCode = HttpStatusCode.Forbidden, ErrorCode = (string?)"loopback_only" }, new { refused.StatusCode, ErrorCode = await ErrorCodeAsync(refused) });
        Assert.Equal(new { StatusCode = HttpStatusCode.Forbidden, ErrorCode = (string?)"loopback_only" }, new { health.StatusCode, ErrorCode = await ErrorCodeAsync(health) });
    }

    [Fact]
    public async Task With_no_key_set_a_caller_from_another_address_claiming_loopback_in_X_Forwarded_For_is_refused()
    {
        // Behind a proxy, ASP.NET Core's forwarded-headers middleware (ASPNETCORE_FORWARDEDHEADERS_ENABLED) trusts any
        // proxy and rewrites the caller's address from X-Forwarded-For, which anyone can send.
        var address = NonLoopbackAddress();
        Assert.SkipWhen(address is null, "this machine has no non-loopback IPv4 address to call from");
        await using var runner = await StartAsync($"http://{address}:0", key: null, ("FORWARDEDHEADERS_ENABLED", "true"));
        using var http = new HttpClient { BaseAddress = Base(runner) };
        http.DefaultRequestHeaders.Add("X-Forwarded-For", "127.0.0.1");

        using var refused = await http.PostAsync(BackfillHttpEndpoint.Path, Range(), TestContext.Current.CancellationToken);
        using var health = await http.GetAsync(HealthHttpEndpoint.Path, TestContext.Current.CancellationToken);

        Assert.Equal(new { Status = HttpStatusCode.Forbidden, Code = (string?)"loopback_only" }, new { Status = refused.StatusCode, Code = await ErrorCodeAsync(refused) });
        Assert.Equal(new { Status = HttpStatusCode.Forbidden, Code = (string?)"loopback_only" }, new { Status = health.StatusCode, Code = await ErrorCodeAsync(health) });
    }

    [Theory]
    [InlineData("short")]
    [InlineData("a key with spaces in it, long enough")]
    public async Task A_bad_key_stops_serve_with_exit_2_naming_ATHOS_ADMIN_KEY(string key)
    {
        var settings = StackSettings.For(_simulator, storage.Azurite);
        settings[AdminKeyOptions.Setting] = key;
        using var serve = CliProcess.Start(["serve", "--urls", "http://127.0.0.1:0"], settings);

        var exit = await serve.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, exit);
        Assert.StartsWith("ATHOS_ADMIN_KEY must be at least 16 characters without whitespace", serve.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(key, serve.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", serve.Error, StringComparison.Ordinal);
    }

    private static IPAddress? NonLoopbackAddress() => NetworkInterface.GetAllNetworkInterfaces()
        .Where(n => n.OperationalStatus == OperationalStatus.Up)
        .SelectMany(n => n.GetIPProperties().UnicastAddresses)
        .Select(a => a.Address)
        .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    private async Task<WebApplication> StartAsync(string urls, string? key, params (string Name, string Value)[] more)
    {
        var settings = StackSettings.For(_simulator, storage.Azurite);
        settings[AdminKeyOptions.Setting] = key;
        foreach (var (name, value) in more)
        {
            settings[name] = value;
        }

        var runner = LocalRunner.Build(urls, settings.Where(s => s.Value is not null).ToDictionary(), logging => logging.ClearProviders());
        await runner.StartAsync(TestContext.Current.CancellationToken);
        return runner;
    }

    private static Uri Base(WebApplication runner) => new(LocalRunner.WebhookUrl(runner), "/");

    private static JsonContent Range() =>
        JsonContent.Create(new { from = DateTimeOffset.UtcNow.AddDays(-2), to = DateTimeOffset.UtcNow.AddDays(-1) });

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, HttpContent? content, string key)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add(AdminKeyFilter.HeaderName, key);
        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    // The one error shape of both hosts: {"error":{"code","message"}}, with no "field" when there is none.
    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response)
    {
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error");
        Assert.Equal(["code", "message"], error.EnumerateObject().Select(p => p.Name));
        return error.GetProperty("code").GetString();
    }
}
