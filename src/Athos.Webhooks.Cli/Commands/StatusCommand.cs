using System.CommandLine;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Operations;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>
/// <c>status [--since 30m|2h|7d|ISO] [--format table|json]</c>: one command for whoever is on call. From storage: the
/// queue, parked items, the last reconcile against its schedule, the freshness of the newest rows (what
/// <c>GET /api/athos/health</c> reads, by the same code); from Athos: whether every call it lists as scored in the window
/// is stored current. Exit 0 healthy, 1 degraded, 3 cannot tell (Athos or storage unreachable), 2 bad arguments or
/// settings.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var since = new Option<string?>("--since") { Description = "The completeness window: a duration back from now (30m, 2h, 7d) or an ISO 8601 time. Default 24h." };
        var command = new Command("status", "Is the pipeline healthy? Queue, parked items, last reconcile, freshness, and the calls Athos lists against the stored ones: exit 0 healthy, 1 degraded, 3 cannot tell.") { since };
        var format = FormatOption.AddTo(command, [OutputFormat.Table, OutputFormat.Json]);
        command.SetAction(async (parse, _) =>
        {
            using var stop = new ConsoleCancellation();
            return await RunAsync(CliServices.Configuration(), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(since), format.GetValue(parse), CliServices.Time, stop.Token);
        });
        return command;
    }

    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter output, TextWriter error, string? sinceText, OutputFormat format, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        sinceText ??= "24h";
        if (!TimeArgument.TryParse(sinceText, now, out var since) || since > now)
        {
            await error.WriteLineAsync($"--since must be a duration back from now (30m, 2h, 7d) or an ISO 8601 time in the past; got '{sinceText}'.");
            return ExitCodes.Usage;
        }

        return await CliServices.RunQuickAsync<IStatusHandler>(configuration, error, async status =>
        {
            var report = await status.StatusAsync(since, now, cancellationToken);
            StatusOutput.Write(output, report, status.Describe, format);
            return ExitCodes.OfStatus(report);
        });
    }
}
