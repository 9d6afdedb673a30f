using System.CommandLine;
using System.Text.Json;
using Athos.Webhooks.Cli.Commands;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Tests.Changes;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Writing;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Athos.Webhooks.Tests.Cli;

/// <summary><c>calls changes</c> against real Azurite: formats, the checkpoint round trip, and what it refuses.</summary>
public sealed class CallChangesCommandTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 6, 5, 14, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Start);

    // The command reads through it: the storage service's clock is the test's, which the reader's clock is checked against.
    private StorageClockProxy _tables = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _tables = await StorageClockProxy.StartAsync(storage.Azurite, _clock);
    }

    public async ValueTask DisposeAsync() => await _tables.DisposeAsync();

    [Fact]
    public async Task Jsonl_prints_one_change_per_line_then_the_next_checkpoint_on_standard_error_from_which_a_later_run_resumes()
    {
        await WriteAsync(TestCalls.Scored("athos_call_cli01", 1));
        await WriteAsync(TestCalls.Failure("athos_call_cli02"));
        await WriteAsync(TestCalls.Scored("athos_call_cli02", 1));
        _clock.Advance(CallChangeFeed.ReadMargin);

        var (exit, output, error) = await RunAsync("1h", OutputFormat.Jsonl);
        var checkpoint = NextCheckpoint(error);
        var (_, nothing, sameError) = await RunAsync(checkpoint, OutputFormat.Jsonl);
        await WriteAsync(TestCalls.Scored("athos_call_cli01", 2));
        _clock.Advance(CallChangeFeed.ReadMargin);
        var (_, later, _) = await RunAsync(checkpoint, OutputFormat.Jsonl);

        Assert.Equal(0, exit);
        var lines = Lines(output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(
            [new { CallId = "athos_call_cli01", Kind = "created", Status = "scored" }, new { CallId = "athos_call_cli02", Kind = "failed", Status = "failed" }, new { CallId = "athos_call_cli02", Kind = "scored_after_failure", Status = "scored" }],
            lines.Select(l => new { CallId = l.GetProperty("callId").GetString()!, Kind = l.GetProperty("kind").GetString()!, Status = l.GetProperty("status").GetString()! }));
        Assert.Equal(61, lines[0].GetProperty("overallScore").GetDouble());
        Assert.True(CallChangeFeed.IsCheckpoint(lines[2].GetProperty("checkpoint").GetString()));
        Assert.Empty(Lines(nothing));
        Assert.StartsWith("next checkpoint: ", sameError, StringComparison.Ordinal);
        var rescore = JsonDocument.Parse(Assert.Single(Lines(later))).RootElement;
        Assert.Equal(new { CallId = (string?)"athos_call_cli01", Kind = (string?)"rescored", OverallScore = 62.0 }, new { CallId = rescore.GetProperty("callId").GetString(), Kind = rescore.GetProperty("kind").GetString(), OverallScore = rescore.GetProperty("overallScore").GetDouble() });
    }

    [Fact]
    public async Task Csv_has_a_byte_order_mark_CRLF_lines_and_cells_that_Excel_would_evaluate_escaped()
    {
        var row = TestCalls.Scored("athos_call_csv01", 1, rep: "=HYPERLINK(\"http://evil.example\",\"x\")");
        row.AgentId = "@SUM(A1)";
        await WriteAsync(row);
        var plus = TestCalls.Scored("athos_call_csv02", 1, rep: "+rep,with comma");
        plus.AgentId = "-2+3";
        await WriteAsync(plus);
        _clock.Advance(CallChangeFeed.ReadMargin);

        var (exit, output, _) = await RunAsync("1h", OutputFormat.Csv);

        Assert.Equal(0, exit);
        Assert.StartsWith("\uFEFFChangedAt,Kind,CallId,Status,OverallScore,ScoredAt,AthosUpdatedAt,ExternalUserId,AgentId,Checkpoint\r\n", output, StringComparison.Ordinal);
        var lines = output.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("2026-06-05 14:00:00.000,created,athos_call_csv01,scored,61,2026-03-10 16:00:00.000,2026-03-10 16:00:00.000,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",'@SUM(A1),", lines[1][..lines[1].LastIndexOf(',')] + ",");
        Assert.Contains(",\"'+rep,with comma\",'-2+3,", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Table_and_json_print_the_same_changes()
    {
        await WriteAsync(TestCalls.Scored("athos_call_tbl01", 1));
        await WriteAsync(TestCalls.Scored("athos_call_tbl01", 2));
        _clock.Advance(CallChangeFeed.ReadMargin);

        var (_, table, _) = await RunAsync("2026-06-05T13:00:00Z", OutputFormat.Table);
        var (_, json, _) = await RunAsync("2026-06-05T13:00:00Z", OutputFormat.Json);
        var (_, none, _) = await RunAsync("1m", OutputFormat.Table);

        Assert.Contains("ChangedAt            Kind      CallId            Status  Score  Rep", table, StringComparison.Ordinal);
        Assert.Contains("2026-06-05 14:00:01  rescored  athos_call_tbl01  scored     62  rep_a", table, StringComparison.Ordinal);
        Assert.Contains("2 change(s).", table, StringComparison.Ordinal);
        Assert.Equal(["created", "rescored"], JsonDocument.Parse(json).RootElement.EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
        Assert.Contains("No changes after the checkpoint.", none, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "--since is required: a checkpoint")]
    [InlineData("soon", "--since must be a checkpoint (the 'next checkpoint' of the previous run), an ISO 8601 time (2026-06-01T00:00:00Z) or a duration back from now (30m, 2h, 7d); got 'soon'.")]
    [InlineData("2099-01-01T00:00:00Z", "--since must not be in the future; got '2099-01-01T00:00:00Z'.")]
    public async Task Bad_arguments_are_named_and_exit_2(string? since, string expected)
    {
        var (exit, output, error) = await RunAsync(since, OutputFormat.Table);

        Assert.Equal(2, exit);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Theory]
    [InlineData("40d")]
    [InlineData("0000000000000000001_athos_call_ancient")]
    public async Task A_checkpoint_older_than_the_retention_is_refused_with_exit_2_and_the_advice_to_re_sync_from_the_tables(string since)
    {
        var (exit, output, error) = await RunAsync(since, OutputFormat.Jsonl);

        Assert.Equal(2, exit);
        Assert.StartsWith("--since: The checkpoint ", error, StringComparison.Ordinal);
        Assert.Contains("Re-sync from the tables", error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public async Task Unreachable_storage_is_one_line_and_exit_1()
    {
        var closedPort = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;";

        var (exit, _, error) = await RunAsync("1h", OutputFormat.Jsonl, closedPort);

        Assert.Equal(1, exit);
        Assert.StartsWith("Storage failed or is unreachable:", Assert.Single(Lines(error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_command_tree_has_calls_changes_and_names_a_bad_since()
    {
        var error = new StringWriter();

        var exit = await CliApp.InvokeAsync(["calls", "changes", "--since", "whenever"], new InvocationConfiguration { Output = new StringWriter(), Error = error }, TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.StartsWith("--since must be a checkpoint", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_command_on_a_clock_minutes_ahead_of_the_storage_service_s_exits_3_with_the_skew_in_one_line()
    {
        // This machine's clock is real time; the storage service's, four minutes behind it.
        await using var service = await StorageClockProxy.StartAsync(storage.Azurite, new SkewedClock(TimeProvider.System, TimeSpan.FromMinutes(-4)));
        using var cli = CliProcess.Start(["calls", "changes", "--since", "1h", "--format", "jsonl"], new Dictionary<string, string?> { ["AzureWebJobsStorage"] = service.ConnectionString });

        var exit = await cli.WaitForExitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(3, exit);
        Assert.Matches("^This machine's clock is at least (3 min [0-9]+ s|4 min) ahead of the storage service's .*Sync this machine's clock", Assert.Single(Lines(cli.Error)));
        Assert.Empty(cli.Output);
    }

    private async Task WriteAsync(CallRow row)
    {
        await TestCalls.Writer(new TableServiceClient(storage.ConnectionString), _clock).WriteAsync(TestCalls.Fresh(row), PriorRow.Unknown, TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromSeconds(1));
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(string? since, OutputFormat format, string? connectionString = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = connectionString ?? _tables.ConnectionString })
            .Build();
        var exit = await CallChangesCommand.RunAsync(configuration, output, error, since, format, _clock, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }

    private static string NextCheckpoint(string error) => Assert.Single(Lines(error), l => l.StartsWith("next checkpoint: ", StringComparison.Ordinal))["next checkpoint: ".Length..];

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];
}
