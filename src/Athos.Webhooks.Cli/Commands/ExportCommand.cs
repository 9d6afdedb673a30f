using System.CommandLine;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Operations;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>
/// <c>export [--now] [--compact] [--to-dir &lt;path&gt;]</c>: one run of the analytics export now, as the timer runs it
/// (the lease keeps it from overlapping a timer's run), then with <c>--to-dir</c> a local copy of what is live in
/// <c>athos-exports</c>. Exit 0 done, 1 failed or skipped (another run holds the lease), 2 bad arguments or settings.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var now = new Option<bool>("--now") { Description = "Rebuild calls/current and scores now, whether due or not." };
        var compact = new Option<bool>("--compact") { Description = "Merge each date's changes files into one." };
        var toDir = new Option<string?>("--to-dir") { Description = "Then copy the live calls/current version, scores and every changes file to this local directory, under the same relative paths." };
        var command = new Command("export", "Run the analytics export (athos-exports: Parquet for Power BI, Fabric, Synapse, DuckDB) now: the change feed appended to calls/changes, and calls/current and scores rebuilt when due; optionally copy the datasets to a local directory.") { now, compact, toDir };
        var format = FormatOption.AddTo(command, [OutputFormat.Table, OutputFormat.Json]);
        command.SetAction(async (parse, _) =>
        {
            using var stop = new ConsoleCancellation();
            return await RunAsync(CliServices.Configuration(), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(now), parse.GetValue(compact), parse.GetResult(toDir) is null ? null : parse.GetValue(toDir) ?? string.Empty, format.GetValue(parse), stop.Token);
        });
        return command;
    }

    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter output, TextWriter error, bool now, bool compact, string? toDir, OutputFormat format, CancellationToken cancellationToken)
    {
        if (toDir is not null && ToDirProblem(toDir) is { } problem)
        {
            await error.WriteLineAsync($"--to-dir: {problem}");
            return ExitCodes.Usage;
        }

        return await CliServices.RunAsync<IExportHandler>(configuration, error, async export =>
        {
            var report = await export.ExportAsync(now, compact, cancellationToken);
            System.Text.Json.JsonElement? copied = null;
            if (toDir is not null)
            {
                try
                {
                    copied = await export.CopyToAsync(toDir, cancellationToken);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    ExportOutput.Write(output, report, null, format);
                    await error.WriteLineAsync($"--to-dir: could not write to '{toDir}': {ex.Message}");
                    return ExitCodes.Failed;
                }
            }

            ExportOutput.Write(output, report, copied, format);
            if (report.OptionalString("error") is { } failure)
            {
                await error.WriteLineAsync(failure);
            }

            return ExitCodes.OfExport(report);
        });
    }

    private static string? ToDirProblem(string path) =>
        path.Trim().Length == 0 ? "give the local directory to copy the datasets to"
        : File.Exists(path) ? $"'{path}' is a file; give a directory (it is created if missing)"
        : null;
}
