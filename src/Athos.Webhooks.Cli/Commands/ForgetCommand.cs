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
        var callId = new Argument<string?>("callId") { Description = "The call id to erase, athos_call_…", Arity = ArgumentArity.ZeroOrOne };
        var agent = new Option<string?>("--agent") { Description = "Instead of a call: a rep's agentId (athos_agent_…), whose row in the roster mirror (AthosAgents) is erased." };
        var calls = new Option<bool>("--calls") { Description = "With --agent: erase every stored call of the rep too, each as forget <callId> would." };
        var allowRestore = new Option<bool>("--allow-restore") { Description = "Lift the call's tombstone instead, so that the next reconcile, rescan, backfill or webhook that brings it stores it again. Exit 1 if the call is not erased." };
        var command = new Command("forget", "Erase one call everywhere it is stored (call tables, change feed, archive blob, recording with versions, delivery ledger, parked items, queued mark, queue messages), leave a tombstone that keeps every path from storing it again, and append an erased change to the feed. What it deletes is gone for good; --allow-restore only lets the call be stored again. --agent erases a rep's roster mirror row (and with --calls their calls).") { callId, allowRestore, agent, calls };
        var format = FormatOption.AddTo(command, [OutputFormat.Table, OutputFormat.Json]);
        command.SetAction(async (parse, ct) => parse.GetValue(agent) is { } agentId
            ? await RunAgentAsync(CliServices.Configuration(), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, agentId, parse.GetValue(callId), parse.GetValue(calls), parse.GetValue(allowRestore), format.GetValue(parse), ct)
            : parse.GetValue(calls)
                ? await UsageAsync(parse.InvocationConfiguration.Error, "--calls goes with --agent <agentId>.")
                : await RunAsync(CliServices.Configuration(), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(callId), format.GetValue(parse), parse.GetValue(allowRestore), ct));
        return command;
    }

    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter output, TextWriter error, string? callId, OutputFormat format, bool allowRestore, CancellationToken cancellationToken)
    {
        if (callId is null)
        {
            return await UsageAsync(error, "callId is required (athos_call_…), or --agent <agentId>.");
        }

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

    /// <summary><c>forget --agent &lt;agentId&gt; [--calls]</c>: the rep's mirror row, and with <c>--calls</c> every call of theirs.</summary>
    public static async Task<int> RunAgentAsync(IConfiguration configuration, TextWriter output, TextWriter error, string agentId, string? callId, bool calls, bool allowRestore, OutputFormat format, CancellationToken cancellationToken)
    {
        if (callId is not null || allowRestore)
        {
            return await UsageAsync(error, "--agent takes no callId and no --allow-restore.");
        }

        if (TableKeys.UserPartition(agentId) != agentId || agentId.Length == 0)
        {
            return await UsageAsync(error, $"--agent: '{agentId}' is not an agentId (athos_agent_…).");
        }

        return await CliServices.RunAsync<IForgetHandler>(configuration, error, async forget =>
        {
            var erased = await forget.ForgetAgentAsync(agentId, calls, cancellationToken);
            await ForgetOutput.WriteAgentAsync(output, error, erased, format);
            return ExitCodes.OfForget(erased);
        });
    }

    private static async Task<int> UsageAsync(TextWriter error, string problem)
    {
        await error.WriteLineAsync(problem);
        return ExitCodes.Usage;
    }
}
