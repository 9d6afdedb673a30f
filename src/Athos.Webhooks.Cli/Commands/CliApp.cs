using System.CommandLine;
using System.CommandLine.Parsing;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>The <c>athos-webhooks</c> command tree, and how a command line that does not parse is answered.</summary>
internal static class CliApp
{
    public static RootCommand Create() => new("athos-webhooks: run Athos.Webhooks locally and operate a deployment (settings come from the same environment variables as the Functions app).")
    {
        ServeCommand.Create(),
        SimulateCommand.Create(),
        BackfillCommand.Create(),
        RedriveCommand.Create(),
        ReprojectCommand.Create(),
        VerifyCommand.Create(),
        StatusCommand.Create(),
        CallsCommand.Create(),
        ForgetCommand.Create(),
        AgenciesCommand.Create(),
        ExportCommand.Create(),
        DoctorCommand.Create(),
        SendTestWebhookCommand.Create(),
    };

    public static Task<int> RunAsync(string[] args) =>
        // Commands handle Ctrl-C themselves (serve through its host's lifetime), so the parser does not.
        InvokeAsync(args, new InvocationConfiguration { ProcessTerminationTimeout = null });

    /// <summary>
    /// Runs the command <paramref name="args"/> name. A command line that does not parse gets its errors (each naming
    /// the argument) and a pointer to the command's help on standard error, and exit 2, as the commands' own checks do;
    /// System.CommandLine alone would exit 1 and print the whole help on standard output.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var parse = Create().Parse(args);
        if (parse.Errors.Count == 0)
        {
            return await parse.InvokeAsync(configuration, cancellationToken);
        }

        foreach (var error in parse.Errors)
        {
            await configuration.Error.WriteLineAsync(error.Message);
        }

        await configuration.Error.WriteLineAsync($"See `{CommandPath(parse.CommandResult)} --help`.");
        return ExitCodes.Usage;
    }

    private static string CommandPath(CommandResult command) =>
        command.Parent is CommandResult parent ? $"{CommandPath(parent)} {command.Command.Name}" : "athos-webhooks";
}
