using System.CommandLine;
using Athos.Webhooks.Cli.Output;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>
/// <c>calls changes --since &lt;checkpoint|time&gt; [--format table|json|jsonl|csv]</c>: the change feed as a consumer
/// reads it (<see cref="CallChangeFeed"/>), every change after the checkpoint, then <c>next checkpoint: …</c> on
/// standard error, so that a shell or Power Automate job syncs incrementally.
/// </summary>
internal static class CallChangesCommand
{
    private const string SinceForms = "a checkpoint (the 'next checkpoint' of the previous run), an ISO 8601 time (2026-06-01T00:00:00Z) or a duration back from now (30m, 2h, 7d)";

    public static Command Create()
    {
        var since = new Option<string?>("--since") { Description = $"Where to start: {SinceForms}. Required." };
        var command = new Command("changes", "Print the changes of stored calls (AthosCallChanges) after a checkpoint or time, in write order, then 'next checkpoint: <token>' on standard error.") { since };
        var format = FormatOption.AddTo(command, [OutputFormat.Table, OutputFormat.Json, OutputFormat.Jsonl, OutputFormat.Csv]);
        command.SetAction(async (parse, ct) => await RunAsync(
            CliServices.Configuration(), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(since), format.GetValue(parse), CliServices.Time, ct));
        return command;
    }

    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter output, TextWriter error, string? since, OutputFormat format, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        string checkpoint;
        if (since is null)
        {
            await error.WriteLineAsync($"--since is required: {SinceForms}.");
            return ExitCodes.Usage;
        }

        if (CallChangeFeed.IsCheckpoint(since))
        {
            checkpoint = since;
        }
        else if (TimeArgument.TryParse(since, now, out var start))
        {
            if (start > now)
            {
                await error.WriteLineAsync($"--since must not be in the future; got '{since}'.");
                return ExitCodes.Usage;
            }

            checkpoint = CallChangeFeed.CheckpointAt(start);
        }
        else
        {
            await error.WriteLineAsync($"--since must be {SinceForms}; got '{since}'.");
            return ExitCodes.Usage;
        }

        return await CliServices.RunAsync<CallChangeFeed>(configuration, error, feed => ReadAsync(feed, checkpoint, format, output, error, cancellationToken), time);
    }

    /// <summary>
    /// Every change after <paramref name="checkpoint"/>, page by page, then <c>next checkpoint: …</c> on
    /// <paramref name="error"/>: 0, 2 when the checkpoint is older than the retention, 3 when this machine's clock is too
    /// far from the storage service's to read safely.
    /// </summary>
    private static async Task<int> ReadAsync(CallChangeFeed feed, string checkpoint, OutputFormat format, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var writer = new ChangeOutput(output, format);
        try
        {
            CallChangePage page;
            do
            {
                page = await feed.ReadChangesAsync(checkpoint, CallChangeFeed.MaxPageSize, cancellationToken);
                writer.Write(page.Changes);
                checkpoint = page.Checkpoint;
            }
            while (page.HasMore);
        }
        catch (CheckpointExpiredException ex)
        {
            await error.WriteLineAsync($"--since: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (ClockSkewException ex)
        {
            // Every page is checked before it is printed: no change read up to a wrong bound is printed.
            await error.WriteLineAsync(ex.Message);
            return ExitCodes.CannotTell;
        }

        writer.Complete();
        await error.WriteLineAsync($"next checkpoint: {checkpoint}");
        return ExitCodes.Ok;
    }
}
