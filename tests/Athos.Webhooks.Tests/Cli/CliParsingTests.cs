using System.CommandLine;
using Athos.Webhooks.Cli.Commands;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>
/// The real command tree: a bad value for any option of any command is one clear line on standard error naming the
/// option, exit 2, nothing on standard output and no stack trace. Every case fails before storage or Athos is asked.
/// </summary>
public sealed class CliParsingTests
{
    [Theory]
    [InlineData(new[] { "reconcile-now" }, "reconcile-now")]
    [InlineData(new string[0], "Required command was not provided.")]
    [InlineData(new[] { "serve", "--demo-rate", "fast" }, "--demo-rate")]
    [InlineData(new[] { "serve", "--urls" }, "--urls")]
    [InlineData(new[] { "serve", "--demo", "maybe" }, "maybe")]
    [InlineData(new[] { "simulate", "--urls" }, "--urls")]
    [InlineData(new[] { "simulate", "--seed", "x" }, "--seed")]
    [InlineData(new[] { "simulate", "--calls", "many" }, "--calls")]
    [InlineData(new[] { "simulate", "--calls", "-5" }, "--calls must be 0 or more; got -5.")]
    [InlineData(new[] { "simulate", "--deliver-to", "localhost:7071" }, "--deliver-to must be an absolute http(s) URL; got 'localhost:7071'.")]
    [InlineData(new[] { "simulate", "--rate", "fast" }, "--rate")]
    [InlineData(new[] { "simulate", "--rate", "-1" }, "--rate must be 0 or more; got -1.")]
    [InlineData(new[] { "simulate", "--drop", "1.5" }, "--drop must be between 0 and 1; got 1.5.")]
    [InlineData(new[] { "simulate", "--duplicate", "-0.1" }, "--duplicate must be between 0 and 1; got -0.1.")]
    [InlineData(new[] { "simulate", "--error-rate", "2" }, "--error-rate must be between 0 and 1; got 2.")]
    [InlineData(new[] { "simulate", "--throttle-rate", "often" }, "--throttle-rate")]
    [InlineData(new[] { "simulate", "--latency-ms", "slow" }, "--latency-ms")]
    [InlineData(new[] { "simulate", "--latency-ms", "-1" }, "--latency-ms must be 0 or more; got -1.")]
    [InlineData(new[] { "simulate", "--api-key" }, "--api-key")]
    [InlineData(new[] { "simulate", "--webhook-secret" }, "--webhook-secret")]
    [InlineData(new[] { "simulate", "--contract", "late" }, "--contract must be early or current; got 'late'.")]
    [InlineData(new[] { "backfill" }, "--from")]
    [InlineData(new[] { "backfill", "--from", "last tuesday" }, "--from must be an ISO 8601 date or date-time; got 'last tuesday'.")]
    [InlineData(new[] { "backfill", "--from", "2026-01-01", "--to", "soon" }, "--to must be an ISO 8601 date or date-time; got 'soon'.")]
    [InlineData(new[] { "backfill", "--from", "2026-01-01", "--source", "phone" }, "--source must be roleplay, real_call or all; got 'phone'.")]
    [InlineData(new[] { "backfill", "--from", "2026-01-01", "--no-wait", "maybe" }, "maybe")]
    [InlineData(new[] { "backfill", "--from", "2026-01-01", "--format", "csv" }, "--format must be table or json; got 'csv'.")]
    [InlineData(new[] { "redrive", "--dry-run", "maybe" }, "maybe")]
    [InlineData(new[] { "redrive", "--format", "jsonl" }, "--format must be table or json; got 'jsonl'.")]
    [InlineData(new[] { "reproject", "--since", "yesterday-ish" }, "--since must be an ISO 8601 time")]
    [InlineData(new[] { "reproject", "--restart", "maybe" }, "maybe")]
    [InlineData(new[] { "reproject", "--format", "xml" }, "--format must be table or json; got 'xml'.")]
    [InlineData(new[] { "verify" }, "--since is required")]
    [InlineData(new[] { "verify", "--since", "last week" }, "--since must be an ISO 8601 time")]
    [InlineData(new[] { "verify", "--since", "2h", "--repair", "maybe" }, "maybe")]
    [InlineData(new[] { "verify", "--since", "2h", "--format", "xml" }, "--format must be table or json; got 'xml'.")]
    [InlineData(new[] { "status", "--since", "yesterday" }, "--since must be a duration back from now")]
    [InlineData(new[] { "status", "--format", "yaml" }, "--format must be table or json; got 'yaml'.")]
    [InlineData(new[] { "calls" }, "Required command was not provided.")]
    [InlineData(new[] { "calls", "list", "--rep" }, "--rep")]
    [InlineData(new[] { "calls", "list", "--day", "01/06/2026" }, "--day must be a date, yyyy-MM-dd; got '01/06/2026'.")]
    [InlineData(new[] { "calls", "list", "--agency" }, "--agency")]
    [InlineData(new[] { "calls", "list", "--agency", "agency_chicago", "--from", "June", "--to", "2026-06-02" }, "--from must be a date, yyyy-MM-dd; got 'June'.")]
    [InlineData(new[] { "calls", "list", "--agency", "agency_chicago", "--from", "2026-06-01", "--to", "July" }, "--to must be a date, yyyy-MM-dd; got 'July'.")]
    [InlineData(new[] { "calls", "list", "--agency", "agency_chicago", "--from", "2026-06-02", "--to", "2026-06-01" }, "--from (2026-06-02) must not be after --to (2026-06-01).")]
    [InlineData(new[] { "calls", "list", "--rep", "rep_1", "--top", "many" }, "--top")]
    [InlineData(new[] { "calls", "list", "--rep", "rep_1", "--top", "0" }, "--top must be between 1 and 10000; got 0.")]
    [InlineData(new[] { "calls", "list", "--rep", "rep_1", "--format", "yaml" }, "--format must be table, json, jsonl or csv; got 'yaml'.")]
    [InlineData(new[] { "calls", "list", "--rep", "rep_1", "--json", "--csv" }, "--json and --csv each choose the output format: give one.")]
    [InlineData(new[] { "calls", "list", "--rep", "rep_1", "--format", "csv", "--json" }, "--format and --json each choose the output format: give one.")]
    [InlineData(new[] { "calls", "list", "--rep", "rep_1", "--csv", "maybe" }, "maybe")]
    [InlineData(new[] { "calls", "show" }, "callId")]
    [InlineData(new[] { "calls", "show", "athos_call_a?b" }, "callId: A call id may contain only")]
    [InlineData(new[] { "calls", "show", "athos_call_x", "--format", "csv" }, "--format must be table or json; got 'csv'.")]
    [InlineData(new[] { "calls", "show", "athos_call_x", "--json", "maybe" }, "maybe")]
    [InlineData(new[] { "calls", "changes", "--since", "whenever" }, "--since must be a checkpoint")]
    [InlineData(new[] { "calls", "changes", "--since", "1h", "--format", "xml" }, "--format must be table, json, jsonl or csv; got 'xml'.")]
    [InlineData(new[] { "forget" }, "callId")]
    [InlineData(new[] { "forget", "athos_call_a/b" }, "callId: A call id may contain only")]
    [InlineData(new[] { "forget", "athos_call_x", "--format", "csv" }, "--format must be table or json; got 'csv'.")]
    [InlineData(new[] { "forget", "athos_call_x", "--allow-restore", "maybe" }, "maybe")]
    [InlineData(new[] { "forget", "athos_call_a?b", "--allow-restore" }, "callId: A call id may contain only")]
    [InlineData(new[] { "doctor", "--format", "csv" }, "--format must be table or json; got 'csv'.")]
    [InlineData(new[] { "send-test-webhook", "--url", "not-a-url", "--call-id", "athos_call_x" }, "--url must be an absolute http(s) URL; got 'not-a-url'.")]
    [InlineData(new[] { "send-test-webhook", "--call-id", "athos_call_x" }, "--url")]
    [InlineData(new[] { "send-test-webhook", "--url", "https://example.invalid/api/athos/webhook", "--call-id", "x/../y" }, "--call-id: A call id starts with 'athos_call_'")]
    [InlineData(new[] { "send-test-webhook", "--url", "https://example.invalid/api/athos/webhook" }, "--call-id")]
    [InlineData(new[] { "send-test-webhook", "--url", "https://example.invalid/api/athos/webhook", "--call-id", "athos_call_x", "--secret", "whsec_x" }, "--secret is not accepted")]
    [InlineData(new[] { "send-test-webhook", "--url", "https://example.invalid/api/athos/webhook", "--call-id", "athos_call_x", "--secret-stdin", "maybe" }, "maybe")]
    [InlineData(new[] { "send-test-webhook", "--url", "https://example.invalid/api/athos/webhook", "--call-id", "athos_call_x", "--failed", "maybe" }, "maybe")]
    public async Task A_bad_argument_is_named_on_standard_error_with_exit_2(string[] args, string expected)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await CliApp.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());
    }

    [Theory]
    [InlineData(new[] { "calls", "list", "--rep", "rep_1", "--top", "0", "--format", "CSV" }, "--top must be between 1 and 10000; got 0.")]
    [InlineData(new[] { "status", "--since", "yesterday", "--format", "Json" }, "--since must be a duration back from now")]
    public async Task A_format_is_read_in_any_case(string[] args, string laterError)
    {
        var error = new StringWriter();

        // A later argument's error shows that --format was accepted; nothing reaches storage.
        var exit = await CliApp.InvokeAsync(args, new InvocationConfiguration { Output = new StringWriter(), Error = error }, TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.StartsWith(laterError, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("--format", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("calls list", "table, json, jsonl or csv", "--json", "--csv")]
    [InlineData("calls show", "table or json", "--json")]
    [InlineData("calls changes", "table, json, jsonl or csv")]
    [InlineData("verify", "table or json")]
    [InlineData("status", "table or json")]
    [InlineData("redrive", "table or json")]
    [InlineData("backfill", "table or json")]
    [InlineData("reproject", "table or json")]
    [InlineData("forget", "table or json")]
    [InlineData("doctor", "table or json")]
    public async Task Every_command_that_prints_data_offers_format_and_documents_the_old_flags_as_aliases(string command, string formats, params string[] aliases)
    {
        var output = new StringWriter();

        var exit = await CliApp.InvokeAsync([.. command.Split(' '), "--help"], new InvocationConfiguration { Output = output }, TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        var help = output.ToString().ReplaceLineEndings(" ");
        Assert.Contains("--format", help, StringComparison.Ordinal);
        foreach (var format in formats.Replace(" or ", ", ", StringComparison.Ordinal).Split(", "))
        {
            Assert.Contains(format, help, StringComparison.Ordinal);
        }

        foreach (var alias in aliases)
        {
            Assert.Contains($"{alias}", help, StringComparison.Ordinal);
            Assert.Contains($"The same as --format {alias[2..]} (kept for older scripts)", System.Text.RegularExpressions.Regex.Replace(help, "\\s+", " "), StringComparison.Ordinal);
        }
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
        await CliApp.InvokeAsync(["serve", "--help"], new InvocationConfiguration { Output = output }, TestContext.Current.CancellationToken);
        Assert.Contains("--demo", output.ToString(), StringComparison.Ordinal);
    }
}
