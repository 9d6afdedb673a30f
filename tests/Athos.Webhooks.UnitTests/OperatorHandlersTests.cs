using Athos.Webhooks.Operations;

namespace Athos.Webhooks.UnitTests;

/// <summary>Each report handler prints a table or one JSON document: a streaming format is refused up front, before any work.</summary>
public sealed class OperatorHandlersTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Reports => ["backfill"];

    [Theory]
    [MemberData(nameof(Reports))]
    public async Task A_report_refuses_JSON_lines_and_CSV_naming_the_format(string command)
    {
        // No collaborators: a handler that got as far as using one would fail differently.
        foreach (var format in new[] { OutputFormat.Jsonl, OutputFormat.Csv })
        {
            Func<Task<int>> run = command switch
            {
                _ => () => new BackfillHandler(null!, TimeProvider.System).BackfillAsync(Now.AddDays(-1), Now, null, wait: false, TimeSpan.FromSeconds(1), terminal: false, format, TextWriter.Null, TextWriter.Null, TestContext.Current.CancellationToken),
            };

            var refused = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(run);
            Assert.Equal(new { ParamName = (string?)"format", ActualValue = (object?)format }, new { refused.ParamName, refused.ActualValue });
        }
    }
}
