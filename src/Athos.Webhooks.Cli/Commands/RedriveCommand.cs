using System.CommandLine;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Cli.Commands;

/// <summary><c>redrive</c>: parked work items (and what waits in the poison queue) back to the work queue, with counts.</summary>
internal static class RedriveCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Only count the parked work items." };
        var command = new Command("redrive", "Put parked work items (AthosParkedWork, and anything in athos-calls-poison) back on athos-calls once their cause (an API key, say) is fixed.") { dryRun };
        command.SetAction(async (parse, ct) => await RunAsync(CliServices.Configuration(), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(dryRun), ct));
        return command;
    }

    public static Task<int> RunAsync(IConfiguration configuration, TextWriter output, TextWriter error, bool dryRun, CancellationToken cancellationToken) =>
        StorageCommand.RunAsync(configuration, error, async services =>
        {
            var result = await services.GetRequiredService<ParkedRedrive>().RunAsync(dryRun, cancellationToken);
            if (dryRun)
            {
                await output.WriteLineAsync($"{result.Found} parked work item(s) (dry run: nothing moved; this counts what waits in athos-calls-poison too, which a redrive parks first).");
                return 0;
            }

            await output.WriteLineAsync($"Moved {result.Moved} of {result.Found} parked work item(s) back to athos-calls.");
            if (result.Unreadable > 0)
            {
                await output.WriteLineAsync($"{result.Unreadable} parked item(s) are not work items and stay in AthosParkedWork; inspect them (their Body column, base64) with Storage Explorer.");
            }

            return 0;
        });
}
