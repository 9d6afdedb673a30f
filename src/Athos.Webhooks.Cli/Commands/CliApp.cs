using System.CommandLine;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>The <c>athos-webhooks</c> command tree.</summary>
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
        DoctorCommand.Create(),
        SendTestWebhookCommand.Create(),
    };

    public static Task<int> RunAsync(string[] args) =>
        // Commands handle Ctrl-C themselves (serve through its host's lifetime), so the parser does not.
        Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
}
