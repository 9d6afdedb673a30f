using System.CommandLine;
using System.Text.Json;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Operations;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>
/// <c>reproject [--since] [--restart] [--format table|json]</c>: rebuilds the call tables from the archive blobs, so that rows written under an
/// older schema gain the new columns without asking Athos. Idempotent and resumable.
/// </summary>
internal static class ReprojectCommand
{
    public static Command Create()
    {
        var since = new Option<string?>("--since") { Description = "Only calls whose archive blob was written at or after this time (ISO 8601, or a duration back from now such as 7d or 12h). Default: all." };
        var restart = new Option<bool>("--restart") { Description = "Start from the beginning instead of resuming an interrupted run." };
        var command = new Command("reproject", "Rebuild the AthosCalls tables from the archived details (no Athos request): rows written by an older version gain the new columns.") { since, restart };
        var format = FormatOption.AddTo(command, [OutputFormat.Table, OutputFormat.Json]);
        command.SetAction(async (parse, _) =>
        {
            using var stop = new ConsoleCancellation();
            return await RunAsync(CliServices.Configuration(), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(since), parse.GetValue(restart), format.GetValue(parse), !Console.IsErrorRedirected, CliServices.Time, stop.Token);
        });
        return command;
    }

    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter output, TextWriter error, string? sinceText, bool restart, OutputFormat format, bool terminal, TimeProvider time, CancellationToken cancellationToken)
    {
        DateTimeOffset? since = null;
        if (sinceText is not null)
        {
            if (!TimeArgument.TryParse(sinceText, time.GetUtcNow(), out var parsed))
            {
                await error.WriteLineAsync($"--since must be an ISO 8601 time (2026-06-01T00:00:00Z) or a duration back from now (30m, 12h, 7d); got '{sinceText}'.");
                return ExitCodes.Usage;
            }

            since = parsed;
        }

        return await CliServices.RunAsync<IReprojectHandler>(configuration, error, async reproject =>
        {
            try
            {
                JsonElement done = default;
                await foreach (var counts in reproject.ReprojectAsync(since, restart, cancellationToken))
                {
                    // Progress is a message: on standard error, and only to a terminal (a rewritten line means nothing in a log).
                    if (terminal)
                    {
                        await error.WriteAsync($"\r{ReprojectOutput.Line(counts)}   ");
                    }

                    done = counts;
                }

                if (terminal)
                {
                    await error.WriteLineAsync();
                }

                ReprojectOutput.Write(output, done, format);
                return ExitCodes.Ok;
            }
            catch (OperationCanceledException)
            {
                await error.WriteLineAsync($"{Environment.NewLine}Stopped; run the same command again to resume where it stopped.");
                return ExitCodes.Stopped;
            }
        });
    }
}
