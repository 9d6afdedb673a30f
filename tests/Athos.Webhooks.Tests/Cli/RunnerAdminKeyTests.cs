using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Athos.Simulator;
using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Health;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>
/// The runner's backfill and health routes, over real HTTP, protected as Azure protects them: a key in
/// <c>x-functions-key</c> or <c>?code=</c>, every caller alike (loopback is not authorization: a tunnel makes every
/// caller local). Health is function level (<c>ATHOS_FUNCTION_KEY</c>, or the admin key), backfill admin level
/// (<c>ATHOS_ADMIN_KEY</c> only), as a function key and the master key in Azure; a key left unset is generated at start-up
/// and printed. The webhook stays anonymous.
/// </summary>
public sealed partial class RunnerAdminKeyTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string Key = "k3y-for-the-runner-0123456789abcdef";
    private const string FunctionKey = "function-k3y-for-the-runner-01234567";

    private AthosSimulator _simulator = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 77, FailureRate = 0 });
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public async Task With_no_key_set_a_loopback_caller_without_the_generated_key_is_refused(string? key)
    {
        // What a tunnel to the runner (ssh -R, a dev tunnel) looks like from inside: a loopback caller with no forwarding headers.
        await using var runner = await StartAsync(key, functionKey: key);
        using var http = new HttpClient { BaseAddress = Base(runner) };
        var generated = runner.Services.GetRequiredService<RunnerKeys>();

        using var backfill = await http.PostAsync(BackfillHttpEndpoint.Path, Range(), TestContext.Current.CancellationToken);
        using var health = await http.GetAsync(HealthHttpEndpoint.Path, TestContext.Current.CancellationToken);
        using var started = await SendAsync(http, HttpMethod.Post, BackfillHttpEndpoint.Path, Range(), generated.Admin);

        Assert.Equal(new { StatusCode = HttpStatusCode.Unauthorized, ErrorCode = (string?)"admin_key_required" }, new { backfill.StatusCode, ErrorCode = await ErrorCodeAsync(backfill) });
        Assert.Equal(new { StatusCode = HttpStatusCode.Unauthorized, ErrorCode = (string?)"admin_key_required" }, new { health.StatusCode, ErrorCode = await ErrorCodeAsync(health) });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.True(generated.AdminGenerated && generated.FunctionGenerated);
        Assert.Matches("^[0-9a-f]{64}$", generated.Admin);
        Assert.NotEqual(generated.Admin, generated.Function);
    }

    [Fact]
    public async Task With_keys_set_backfill_and_health_refuse_a_missing_or_wrong_key_and_accept_the_right_one()
    {
        await using var runner = await StartAsync(Key, FunctionKey);
        using var http = new HttpClient { BaseAddress = Base(runner) };

        using var missing = await http.PostAsync(BackfillHttpEndpoint.Path, Range(), TestContext.Current.CancellationToken);
        using var wrong = await SendAsync(http, HttpMethod.Post, BackfillHttpEndpoint.Path, Range(), Key[..^1] + "0");
        using var healthWithout = await http.GetAsync(HealthHttpEndpoint.Path, TestContext.Current.CancellationToken);
        using var started = await SendAsync(http, HttpMethod.Post, BackfillHttpEndpoint.Path, Range(), Key);
        var job = await started.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        using var read = await http.GetAsync($"{BackfillHttpEndpoint.Path}/{job.GetProperty("jobId").GetString()}?code={Key}", TestContext.Current.CancellationToken);
        using var healthWithAdmin = await SendAsync(http, HttpMethod.Get, HealthHttpEndpoint.Path, null, Key);

        Assert.Equal(new { StatusCode = HttpStatusCode.Unauthorized, ErrorCode = (string?)"admin_key_required" }, new { missing.StatusCode, ErrorCode = await ErrorCodeAsync(missing) });
        Assert.Equal(new { StatusCode = HttpStatusCode.Unauthorized, ErrorCode = (string?)"admin_key_invalid" }, new { wrong.StatusCode, ErrorCode = await ErrorCodeAsync(wrong) });
        Assert.Equal(new { StatusCode = HttpStatusCode.Unauthorized, ErrorCode = (string?)"admin_key_required" }, new { healthWithout.StatusCode, ErrorCode = await ErrorCodeAsync(healthWithout) });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, healthWithAdmin.StatusCode);
    }

    [Fact]
    public async Task The_function_key_reads_health_but_cannot_start_a_backfill()
    {
        await using var runner = await StartAsync(Key, FunctionKey);
        using var http = new HttpClient { BaseAddress = Base(runner) };

        using var health = await http.GetAsync($"{HealthHttpEndpoint.Path}?code={FunctionKey}", TestContext.Current.CancellationToken);
        using var backfill = await SendAsync(http, HttpMethod.Post, BackfillHttpEndpoint.Path, Range(), FunctionKey);

        Assert.NotEqual(HttpStatusCode.Unauthorized, health.StatusCode);
        Assert.Equal(new { StatusCode = HttpStatusCode.Unauthorized, ErrorCode = (string?)"admin_key_invalid" }, new { backfill.StatusCode, ErrorCode = await ErrorCodeAsync(backfill) });
    }

    [Fact]
    public async Task With_a_key_set_the_webhook_stays_anonymous()
    {
        await using var runner = await StartAsync(Key, FunctionKey);
        using var http = new HttpClient { BaseAddress = Base(runner) };
        var body = WebhookRequests.CallScored("athos_call_anonymous");
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhookHttpEndpoint.Path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(WebhookSignature.HeaderName, WebhookSigner.Header(_simulator.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body));
        request.Headers.Add(WebhookHttpEndpoint.WebhookIdHeader, "wh_anonymous");

        using var answer = await http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
    }

    /// <summary>The real <c>serve</c> process prints the keys it generated, and the printed function key reads health.</summary>
    [Fact]
    public async Task Serve_prints_the_keys_it_generated_and_the_printed_key_works()
    {
        var settings = StackSettings.For(_simulator, storage.Azurite);
        var port = RunnerProcess.FreePort();
        using var serve = CliProcess.Start(["serve", "--urls", $"http://127.0.0.1:{port}"], settings);
        var deadline = DateTime.UtcNow.AddMinutes(1);
        Match printed;
        while (!(printed = GeneratedFunctionKey().Match(serve.Output)).Success)
        {
            Assert.False(serve.HasExited, serve.Error);
            Assert.True(DateTime.UtcNow < deadline, "serve printed its generated keys within a minute:\n" + serve.Output);
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        using var without = await http.GetAsync(HealthHttpEndpoint.Path, TestContext.Current.CancellationToken);
        using var with = await http.GetAsync($"{HealthHttpEndpoint.Path}?code={printed.Groups[1].Value}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, with.StatusCode);
        Assert.Matches(@"Admin key \(ATHOS_ADMIN_KEY unset, generated for this run\): +[0-9a-f]{64}", serve.Output);
    }

    [Theory]
    [InlineData("ATHOS_ADMIN_KEY", "short")]
    [InlineData("ATHOS_ADMIN_KEY", "a key with spaces in it, long enough")]
    [InlineData("ATHOS_FUNCTION_KEY", "short")]
    public async Task A_bad_key_stops_serve_with_exit_2_naming_it(string setting, string key)
    {
        var settings = StackSettings.For(_simulator, storage.Azurite);
        settings[setting] = key;
        using var serve = CliProcess.Start(["serve", "--urls", "http://127.0.0.1:0"], settings);

        var exit = await serve.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, exit);
        Assert.StartsWith($"{setting} must be at least 16 characters without whitespace", serve.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(key, serve.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", serve.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_key_for_both_levels_stops_serve_with_exit_2()
    {
        var settings = StackSettings.For(_simulator, storage.Azurite);
        settings[AdminKeyOptions.Setting] = Key;
        settings[AdminKeyOptions.FunctionSetting] = Key;
        using var serve = CliProcess.Start(["serve", "--urls", "http://127.0.0.1:0"], settings);

        Assert.Equal(2, await serve.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.StartsWith("ATHOS_FUNCTION_KEY must differ from ATHOS_ADMIN_KEY", serve.Error, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Function key \(ATHOS_FUNCTION_KEY unset, generated for this run\): ([0-9a-f]{64})")]
    private static partial Regex GeneratedFunctionKey();

    private async Task<WebApplication> StartAsync(string? key, string? functionKey)
    {
        var settings = StackSettings.For(_simulator, storage.Azurite);
        settings[AdminKeyOptions.Setting] = key;
        settings[AdminKeyOptions.FunctionSetting] = functionKey;
        var runner = LocalRunner.Build("http://127.0.0.1:0", settings.Where(s => s.Value is not null).ToDictionary(), logging => logging.ClearProviders());
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
