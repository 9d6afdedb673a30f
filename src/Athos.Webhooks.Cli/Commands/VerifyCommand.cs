using System.CommandLine;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Operations;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>
/// <c>verify --since &lt;duration|time&gt; [--repair] [--format table|json]</c>: compares the call tables, the archive
/// blobs and the change feed of the calls written since a time, lists the discrepancies (exit 1) and, with
/// <c>--repair</c>, repairs them.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var since = new Option<string?>("--since") { Description = "Check the calls written since this time: ISO 8601 (2026-06-01T00:00:00Z) or a duration back from now (30m, 2h, 7d). Required." };
        var repair = new Option<bool>("--repair") { Description = "Repair what is found (index rows from the main row, the main row from a newer archive blob, a missing blob from Athos, a missing change appended to the change feed), then check each call again." };
        var command = new Command("verify", "Compare AthosCalls, AthosCallsByUser, AthosCallsByDay, the archive blobs and the changes in AthosCallChanges of the calls written since a time: exit 0 when consistent, 1 when discrepancies were found (listed; repaired with --repair).") { since, repair };
        var format = FormatOption.AddTo(command, [OutputFormat.Table, OutputFormat.Json]);
        command.SetAction(async (parse, _) =>
        {
            using var stop = new ConsoleCancellation();
            return await RunAsync(
                CliServices.Configuration(),
                parse.InvocationConfiguration.Output,
                parse.InvocationConfiguration.Error,
                new VerifyArguments(parse.GetValue(since), parse.GetValue(repair), format.GetValue(parse)),
                CliServices.Time,
                stop.Token);
        });
        return command;
    }

    /// <summary>The command line as given.</summary>
    public sealed record VerifyArguments(string? Since, bool Repair, OutputFormat Format);

    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter output, TextWriter error, VerifyArguments arguments, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var now = time.GetUtcNow();
        if (arguments.Since is null)
        {
            await error.WriteLineAsync("--since is required: an ISO 8601 time (2026-06-01T00:00:00Z) or a duration back from now (30m, 2h, 7d).");
            return ExitCodes.Usage;
        }

        if (!TimeArgument.TryParse(arguments.Since, now, out var since))
        {
            await error.WriteLineAsync($"--since must be an ISO 8601 time (2026-06-01T00:00:00Z) or a duration back from now (30m, 2h, 7d); got '{arguments.Since}'.");
            return ExitCodes.Usage;
        }

        if (since > now)
        {
            await error.WriteLineAsync($"--since must not be in the future; got '{arguments.Since}'.");
            return ExitCodes.Usage;
        }

        return await CliServices.RunAsync<IVerifyHandler>(configuration, error, async verify =>
        {
            try
            {
                var report = await verify.VerifyAsync(since, now, arguments.Repair, cancellationToken);
                VerifyOutput.Write(output, report, verify.SettleTime, arguments.Format);
                return ExitCodes.OfVerify(report);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync("Stopped before the end: what was repaired stays repaired; run verify again.");
                return ExitCodes.Stopped;
            }
        });
    }
}
