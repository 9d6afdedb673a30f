using System.CommandLine;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Operations;

namespace Athos.Webhooks.Cli.Commands;

/// <summary><c>forget</c>: erases one call from storage (a data subject's erasure request), saying what it removed.</summary>
internal static class ForgetCommand
{
    public static Command Create()
    {
        var callId = new Argument<string>("callId") { Description = "The call id to erase, athos_call_…" };
        var command = new Command("forget", "Erase one call everywhere it is stored: call tables, archive blob, recording (with versions) and delivery-ledger rows. Irreversible.") { callId };
        var format = FormatOption.AddTo(command, [OutputFormat.Table, OutputFormat.Json]);
        command.SetAction(async (parse, ct) => await RunAsync(CliServices.Configuration(), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(callId)!, format.GetValue(parse), ct));
        return command;
    }

    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter output, TextWriter error, string callId, OutputFormat format, CancellationToken cancellationToken)
    {
        if (!CallId.TryParse(callId, out var id, out var problem))
        {
            await error.WriteLineAsync($"callId: {problem}");
            return 2;
        }

        return await StorageCommand.RunAsync(configuration, error, services =>
            services.GetRequiredService<OperatorCommands>().ForgetAsync(id, format, output, error, cancellationToken));
    }
}
