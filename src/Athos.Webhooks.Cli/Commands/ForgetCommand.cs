using System.CommandLine;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Operations;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>
/// <c>forget</c>: erases one call from storage (a data subject's erasure request), saying what it removed, and leaves a
/// tombstone that keeps the call from being stored again; <c>--allow-restore</c> lifts that tombstone.
/// </summary>
internal static class ForgetCommand
{
    public static Command Create()
    {
        var callId = new Argument<string>("callId") { Description = "The call id to erase, athos_call_…" };
        var allowRestore = new Option<bool>("--allow-restore") { Description = "Lift the call's tombstone instead, so that the next reconcile, rescan, backfill or webhook that brings it stores it again. Exit 1 if the call is not erased." };
        var command = new Command("forget", "Erase one call everywhere it is stored (call tables, change feed, archive blob, recording with versions, delivery ledger, parked items, queued mark, queue messages), leave a tombstone that keeps every path from storing it again, and append an erased change to the feed. What it deletes is gone for good; --allow-restore only lets the call be stored again.") { callId, allowRestore };
        var format = FormatOption.AddTo(command, [OutputFormat.Table, OutputFormat.Json]);
        command.SetAction(async (parse, ct) => await RunAsync(CliServices.Configuration(), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(callId)!, format.GetValue(parse), parse.GetValue(allowRestore), ct));
        return command;
    }

    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter output, TextWriter error, string callId, OutputFormat format, bool allowRestore, CancellationToken cancellationToken)
    {
        if (!CallId.TryParse(callId, out var id, out var problem))
        {
            await error.WriteLineAsync($"callId: {problem}");
            return ExitCodes.Usage;
        }

        return await CliServices.RunAsync<IForgetHandler>(configuration, error, async forget =>
        {
            if (allowRestore)
            {
                var restored = await forget.RestoreAsync(id, cancellationToken);
                await ForgetOutput.WriteRestoredAsync(output, error, restored, format);
                return ExitCodes.OfRestore(restored);
            }

            var erased = await forget.ForgetAsync(id, cancellationToken);
            await ForgetOutput.WriteAsync(output, error, erased, format);
            return ExitCodes.OfForget(erased);
        });
    }
}
