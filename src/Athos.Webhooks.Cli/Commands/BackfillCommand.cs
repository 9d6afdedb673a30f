using System.CommandLine;
using System.Globalization;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Operations;

namespace Athos.Webhooks.Cli.Commands;

/// <summary><c>backfill --from --to</c>: starts a backfill job and shows its progress until it completes.</summary>
internal static class BackfillCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "First endedAt to load, ISO 8601 (2026-01-01 or 2026-01-01T00:00:00Z).", Required = true };
        var to = new Option<string>("--to") { Description = "Last endedAt to load, ISO 8601 (default: now)." };
        var noWait = new Option<bool>("--no-wait") { Description = "Start the job and print its id without waiting." };
        var source = new Option<string>("--source") { Description = "The call source to load: roleplay, real_call, or all (the sources of ATHOS_SOURCES).", DefaultValueFactory = _ => AllSources };
        var command = new Command("backfill", "Load history: queue every call Athos scored between --from and --to that is missing or stale. Pages are processed by the queue worker (serve, or the Functions app).") { from, to, source, noWait };
        var format = FormatOption.AddTo(command, [OutputFormat.Table, OutputFormat.Json]);
        command.SetAction(async (parse, _) =>
        {
            using var stop = new ConsoleCancellation();
            return await RunAsync(CliServices.Configuration(), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(from)!, parse.GetValue(to), parse.GetValue(source)!, !parse.GetValue(noWait), format.GetValue(parse), TimeSpan.FromSeconds(2), !Console.IsErrorRedirected, CliServices.Time, stop.Token);
        });
        return command;
    }

    private const string AllSources = "all";

    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter output, TextWriter error, string fromText, string? toText, string sourceText, bool wait, OutputFormat format, TimeSpan pollEvery, bool terminal, TimeProvider time, CancellationToken cancellationToken)
    {
        if (sourceText != AllSources && !CallSources.IsKnown(sourceText))
        {
            await error.WriteLineAsync($"--source must be {string.Join(", ", CallSources.All)} or {AllSources}; got '{sourceText}'.");
            return ExitCodes.Usage;
        }

        if (!TryTime(fromText, out var from))
        {
            await error.WriteLineAsync($"--from must be an ISO 8601 date or date-time; got '{fromText}'.");
            return ExitCodes.Usage;
        }

        ArgumentNullException.ThrowIfNull(time);
        var to = time.GetUtcNow();
        if (toText is not null && !TryTime(toText, out to))
        {
            await error.WriteLineAsync($"--to must be an ISO 8601 date or date-time; got '{toText}'.");
            return ExitCodes.Usage;
        }

        return await CliServices.RunAsync<IBackfillHandler>(configuration, error, backfill =>
            backfill.BackfillAsync(from, to, sourceText == AllSources ? null : [sourceText], wait, pollEvery, terminal, format, output, error, cancellationToken));
    }

    private static bool TryTime(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
}
