using System.CommandLine;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Cli.Commands;

/// <summary><c>redrive</c>: poison messages back to the work queue, with counts.</summary>
internal static class RedriveCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Only count the messages in athos-calls-poison." };
        var command = new Command("redrive", "Move messages from athos-calls-poison back to athos-calls once their cause (an API key, say) is fixed.") { dryRun };
        command.SetAction(async (parse, ct) => await RunAsync(CliServices.Configuration(), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(dryRun), ct));
        return command;
    }

    public static Task<int> RunAsync(IConfiguration configuration, TextWriter output, TextWriter error, bool dryRun, CancellationToken cancellationToken) =>
        StorageCommand.RunAsync(configuration, error, async services =>
        {
            var result = await services.GetRequiredService<PoisonRedrive>().RunAsync(dryRun, cancellationToken);
            if (dryRun)
            {
                await output.WriteLineAsync($"{result.Found} message(s) in athos-calls-poison (dry run: nothing moved).");
                return 0;
            }

            await output.WriteLineAsync($"Moved {result.Moved} of {result.Found} message(s) from athos-calls-poison to athos-calls.");
            if (result.Unreadable > 0)
            {
                await output.WriteLineAsync($"{result.Unreadable} message(s) are not work items and stay in athos-calls-poison; inspect them with Storage Explorer.");
            }

            return 0;
        });
}
