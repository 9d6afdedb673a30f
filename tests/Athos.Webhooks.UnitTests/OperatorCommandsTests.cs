using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Operations;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.UnitTests;

/// <summary>A report prints as a table or one JSON document: a streaming format is refused up front, before any work.</summary>
public sealed class OperatorCommandsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Reports => ["status", "verify", "reproject", "forget", "redrive", "backfill", "show"];

    [Theory]
    [MemberData(nameof(Reports))]
    public async Task A_report_refuses_JSON_lines_and_CSV_naming_the_format(string command)
    {
        // An empty container: a command that got as far as resolving a service would fail differently.
        await using var services = new ServiceCollection().BuildServiceProvider();
        var commands = new OperatorCommands(services);
        var id = CallId.Parse("athos_call_a");
        foreach (var format in new[] { OutputFormat.Jsonl, OutputFormat.Csv })
        {
            Func<Task<int>> run = command switch
            {
                "status" => () => commands.StatusAsync(Now.AddDays(-1), Now, format, TextWriter.Null, TestContext.Current.CancellationToken),
                "verify" => () => commands.VerifyAsync(Now.AddDays(-1), Now, repair: false, format, TextWriter.Null, TextWriter.Null, TestContext.Current.CancellationToken),
                "reproject" => () => commands.ReprojectAsync(null, restart: false, format, TextWriter.Null, TextWriter.Null, terminal: false, TestContext.Current.CancellationToken),
                "forget" => () => commands.ForgetAsync(id, format, TextWriter.Null, TextWriter.Null, TestContext.Current.CancellationToken),
                "redrive" => () => commands.RedriveAsync(dryRun: true, format, TextWriter.Null, TestContext.Current.CancellationToken),
                "backfill" => () => commands.BackfillAsync(Now.AddDays(-1), Now, null, wait: false, TimeSpan.FromSeconds(1), terminal: false, format, TextWriter.Null, TextWriter.Null, TestContext.Current.CancellationToken),
                _ => () => commands.ShowCallAsync(id, format, TextWriter.Null, TextWriter.Null, TestContext.Current.CancellationToken),
            };

            var refused = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(run);
            Assert.Equal(new { ParamName = (string?)"format", ActualValue = (object?)format }, new { refused.ParamName, refused.ActualValue });
        }
    }
}
