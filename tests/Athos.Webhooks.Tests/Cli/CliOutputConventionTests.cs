using System.Text.Json;
using Athos.Webhooks.Tests.Changes;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Writing;
using Azure.Data.Tables;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>
/// The real <c>athos-webhooks</c> process: usage errors exit 2 naming the argument, and with a JSON format standard
/// output holds only the JSON (what <c>| jq</c> reads) while messages go to standard error.
/// </summary>
public sealed class CliOutputConventionTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public async ValueTask InitializeAsync() => await storage.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Theory]
    [InlineData(new[] { "calls", "list", "--rep", "rep_a", "--format", "yaml" }, "--format must be table, json, jsonl or csv; got 'yaml'.")]
    [InlineData(new[] { "calls", "list", "--rep", "rep_a", "--top", "many" }, "--top")]
    [InlineData(new[] { "backfill" }, "--from")]
    [InlineData(new[] { "status", "--format", "csv" }, "--format must be table or json; got 'csv'.")]
    public async Task A_usage_error_exits_2_and_names_the_argument_on_standard_error(string[] args, string expected)
    {
        using var cli = CliProcess.Start(args, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storage.ConnectionString });

        var exit = await cli.WaitForExitAsync(Patience);

        Assert.Equal(2, exit);
        Assert.Contains(expected, cli.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", cli.Error, StringComparison.Ordinal);
        Assert.Empty(cli.Output);
    }

    [Fact]
    public async Task Json_on_standard_output_is_the_whole_output_and_the_advice_goes_to_standard_error()
    {
        await TestCalls.Writer(new TableServiceClient(storage.ConnectionString), TimeProvider.System)
            .WriteAsync(TestCalls.Fresh(TestCalls.Scored("athos_call_pipe01", 1)), PriorRow.Unknown, TestContext.Current.CancellationToken);
        var environment = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storage.ConnectionString };

        using var list = CliProcess.Start(["calls", "list", "--rep", "rep_a", "--json"], environment);
        Assert.Equal(0, await list.WaitForExitAsync(Patience));
        using var forget = CliProcess.Start(["forget", "athos_call_pipe01", "--format", "json"], environment);
        Assert.Equal(0, await forget.WaitForExitAsync(Patience));

        Assert.Equal("athos_call_pipe01", Assert.Single(JsonDocument.Parse(list.Output).RootElement.EnumerateArray()).GetProperty("callId").GetString());
        var erased = JsonDocument.Parse(forget.Output).RootElement;
        Assert.Equal("athos_call_pipe01", erased.GetProperty("callId").GetString());
        Assert.Contains(erased.GetProperty("removed").EnumerateArray(), r => r.GetString() == "AthosCalls: row athos_call_pipe01");
        Assert.StartsWith("Athos keeps its own copy", forget.Error, StringComparison.Ordinal);
    }
}
