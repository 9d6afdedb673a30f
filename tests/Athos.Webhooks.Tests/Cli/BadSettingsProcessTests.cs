using Athos.Webhooks.Tests.Fixtures;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>
/// The real <c>athos-webhooks serve</c> process with one bad setting: it stops before serving, with exit code 2 and one
/// line naming the setting, never a stack trace, whatever the kind of mistake.
/// </summary>
public sealed class BadSettingsProcessTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("ATHOS_HTTP_TOTAL_TIMEOUT", "soon", "'ATHOS_HTTP_TOTAL_TIMEOUT'")]
    [InlineData("ATHOS_RECONCILE_PARALLELISM", "0", "ATHOS_RECONCILE_PARALLELISM must be between 1 and 64; got 0.")]
    [InlineData("ATHOS_WHSEC", "c2VjcmV0LXdpdGhvdXQtaXRzLXByZWZpeA", "ATHOS_WHSEC does not look like an Athos signing secret")]
    [InlineData("ATHOS_RUNNER_MESSAGE_LEASE", "00:00:01", "ATHOS_RUNNER_MESSAGE_LEASE must be a duration of at least 00:00:02")]
    [InlineData("ATHOS_RUNNER_MESSAGE_LEASE", "soon", "'ATHOS_RUNNER_MESSAGE_LEASE'")]
    [InlineData("ATHOS_CHANGE_RETENTION", "a month", "'ATHOS_CHANGE_RETENTION'")]
    public async Task Serve_stops_with_exit_2_and_the_setting_named(string setting, string value, string expected) =>
        await AssertStopsAsync(new() { [setting] = value }, expected);

    [Fact]
    public async Task Serve_exporting_telemetry_stops_with_exit_2_on_an_authentication_string_that_is_not_AAD()
    {
        var settings = new Dictionary<string, string?>
        {
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/",
            ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "Authorization=Key",
        };

        await AssertStopsAsync(settings, "APPLICATIONINSIGHTS_AUTHENTICATION_STRING must be 'Authorization=AAD' or 'Authorization=AAD;ClientId=<client id>'");
    }

    [Fact]
    public async Task Serve_stops_with_exit_2_on_a_bad_host_json_value_naming_it()
    {
        // A copy of the built runner, so that its host.json (read from beside the app, as the Functions host does) is this test's own.
        using var copy = await BuiltCopy.WithHostJsonAsync("{ \"version\": \"2.0\", \"extensions\": { \"queues\": { \"maxDequeueCount\": 0 } } }");

        await AssertStopsAsync([], "host.json extensions.queues.maxDequeueCount must be a whole number of at least 1; got 0.", copy.Directory);
    }

    [Fact]
    public async Task Serve_stops_with_exit_2_on_a_function_timeout_too_short_too_long_unbounded_or_without_colons_naming_it()
    {
        foreach (var timeout in new[] { "00:00:02", "-1", "10", "2.00:00:00" })
        {
            using var copy = await BuiltCopy.WithHostJsonAsync($$"""{ "version": "2.0", "functionTimeout": "{{timeout}}" }""");

            await AssertStopsAsync([], $"'functionTimeout' is '{timeout}'; it must be a duration between 00:00:05 and 1.00:00:00", copy.Directory);
        }
    }

    private static async Task AssertStopsAsync(Dictionary<string, string?> bad, string expected, string? directory = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["ATHOS_API_KEY"] = "ath_live_process",
            ["ATHOS_WHSEC"] = "whsec_process000000000000000000",
        };
        foreach (var (setting, value) in bad)
        {
            settings[setting] = value;
        }

        using var cli = CliProcess.Start(["serve", "--urls", "http://127.0.0.1:0"], settings, directory);

        var exit = await cli.WaitForExitAsync(ExitTimeout);

        Assert.True(exit == 2, $"exit {exit}; errors:\n{cli.Error}");
        var line = Assert.Single(cli.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Webhook endpoint", cli.Output, StringComparison.Ordinal);
    }
}
