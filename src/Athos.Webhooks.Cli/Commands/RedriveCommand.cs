using System.CommandLine;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Operations;

namespace Athos.Webhooks.Cli.Commands;

/// <summary><c>redrive</c>: parked work items (and what waits in the poison queue) back to the work queue, with counts.</summary>
internal static class RedriveCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Only count the parked work items." };
        var command = new Command("redrive", "Put parked work items (AthosParkedWork, and anything in athos-calls-poison) back on athos-calls once their cause (an API key, say) is fixed.") { dryRun };
        var format = FormatOption.AddTo(command, [OutputFormat.Table, OutputFormat.Json]);
        command.SetAction(async (parse, ct) => await RunAsync(CliServices.Configuration(), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(dryRun), format.GetValue(parse), ct));
        return command;
    }

    public static Task<int> RunAsync(IConfiguration configuration, TextWriter output, TextWriter error, bool dryRun, OutputFormat format, CancellationToken cancellationToken) =>
        CliServices.RunAsync<IRedriveHandler>(configuration, error, async redrive =>
        {
            RedriveOutput.Write(output, await redrive.RedriveAsync(dryRun, cancellationToken), format);
            return ExitCodes.Ok;
        });
}
