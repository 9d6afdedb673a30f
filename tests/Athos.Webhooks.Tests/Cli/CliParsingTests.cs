using System.CommandLine;
using Athos.Webhooks.Cli.Commands;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>The real command tree: bad arguments get one clear line naming the option, and a non-zero exit.</summary>
public sealed class CliParsingTests
{
    [Theory]
    [InlineData(new[] { "calls", "list", "--top", "many" }, "--top")]
    [InlineData(new[] { "backfill" }, "--from")]
    [InlineData(new[] { "backfill", "--from", "last tuesday" }, "--from must be an ISO 8601 date or date-time; got 'last tuesday'.")]
    [InlineData(new[] { "backfill", "--from", "2026-01-01", "--to", "soon" }, "--to must be an ISO 8601 date or date-time; got 'soon'.")]
    [InlineData(new[] { "simulate", "--drop", "1.5" }, "--drop must be between 0 and 1; got 1.5.")]
    [InlineData(new[] { "simulate", "--rate", "fast" }, "--rate")]
    [InlineData(new[] { "simulate", "--deliver-to", "localhost:7071" }, "--deliver-to must be an absolute http(s) URL; got 'localhost:7071'.")]
    [InlineData(new[] { "send-test-webhook", "--url", "not-a-url", "--call-id", "athos_call_x" }, "--url must be an absolute http(s) URL; got 'not-a-url'.")]
    [InlineData(new[] { "send-test-webhook", "--url", "https://example.invalid/api/athos/webhook", "--call-id", "x/../y" }, "--call-id: A call id starts with 'athos_call_'")]
    [InlineData(new[] { "send-test-webhook", "--url", "https://example.invalid/api/athos/webhook" }, "--call-id")]
    [InlineData(new[] { "forget", "athos_call_a/b" }, "callId: A call id may contain only")]
    [InlineData(new[] { "calls", "show", "athos_call_a?b" }, "callId: A call id may contain only")]
    [InlineData(new[] { "verify" }, "--since is required")]
    [InlineData(new[] { "verify", "--since", "last week" }, "--since must be an ISO 8601 time")]
    [InlineData(new[] { "verify", "--since", "2h", "--format", "xml" }, "--format must be table or json; got 'xml'.")]
    [InlineData(new[] { "reconcile-now" }, "reconcile-now")]
    public async Task Bad_arguments_are_named_and_exit_non_zero(string[] args, string expected)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await CliApp.Create().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);

        Assert.NotEqual(0, exit);
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_command_and_option_has_help_text()
    {
        foreach (var command in CliApp.Create().Subcommands.SelectMany(c => c.Subcommands.Count == 0 ? [c] : c.Subcommands))
        {
            Assert.False(string.IsNullOrWhiteSpace(command.Description), $"{command.Name} has a description");
            Assert.All(command.Options.Where(o => o.Name is not ("--help" or "-h" or "-?")), o => Assert.False(string.IsNullOrWhiteSpace(o.Description), $"{command.Name} {o.Name} has a description"));
        }

        var output = new StringWriter();
        await CliApp.Create().Parse(["serve", "--help"]).InvokeAsync(new InvocationConfiguration { Output = output }, TestContext.Current.CancellationToken);
        Assert.Contains("--demo", output.ToString(), StringComparison.Ordinal);
    }
}
