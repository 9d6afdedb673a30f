using System.CommandLine;
using Athos.Webhooks.Cli.Commands;
using Microsoft.Extensions.Configuration;

namespace Athos.Webhooks.Tests.Cli;

/// <summary><c>send-test-webhook</c> takes its secret from ATHOS_WHSEC or standard input, never from an argument.</summary>
public sealed class SendTestWebhookSecretTests
{
    [Fact]
    public async Task The_secret_comes_from_ATHOS_WHSEC_by_default()
    {
        var secret = await SendTestWebhookCommand.ReadSecretAsync(fromStdin: false, new StringReader("whsec_from_stdin"), Settings(("ATHOS_WHSEC", "whsec_from_environment")));

        Assert.Equal("whsec_from_environment", secret);
    }

    [Fact]
    public async Task With_secret_stdin_the_first_line_of_standard_input_is_the_secret()
    {
        var secret = await SendTestWebhookCommand.ReadSecretAsync(fromStdin: true, new StringReader("whsec_from_stdin\r\nignored\n"), Settings(("ATHOS_WHSEC", "whsec_from_environment")));

        Assert.Equal("whsec_from_stdin", secret);
    }

    [Fact]
    public async Task Without_a_secret_nothing_is_sent_and_the_message_says_where_to_put_it()
    {
        var error = new StringWriter();
        var secret = await SendTestWebhookCommand.ReadSecretAsync(fromStdin: true, new StringReader(string.Empty), Settings());

        var exit = await SendTestWebhookCommand.RunAsync(new StringWriter(), error, "http://127.0.0.1:9/api/athos/webhook", secret, "athos_call_x", failed: false, TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Null(secret);
        Assert.Equal(2, exit);
        Assert.Equal("No signing secret: set ATHOS_WHSEC (whsec_…), or pipe it in with --secret-stdin.", error.ToString().Trim());
    }

    [Fact]
    public async Task A_secret_given_as_an_argument_is_refused_without_being_echoed()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await CliApp.Create().Parse(["send-test-webhook", "--url", "http://127.0.0.1:9/api/athos/webhook", "--secret", "whsec_do_not_echo_me", "--call-id", "athos_call_x"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.StartsWith("--secret is not accepted", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_do_not_echo_me", output.ToString() + error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Help_offers_no_secret_option_only_standard_input()
    {
        var command = CliApp.Create().Subcommands.Single(c => c.Name == "send-test-webhook");

        Assert.Contains(command.Options, o => o.Name == "--secret-stdin");
        Assert.All(command.Options.Where(o => o.Name == "--secret"), o => Assert.True(o.Hidden));
    }

    private static IConfiguration Settings(params (string Name, string? Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Name, s.Value))).Build();
}
