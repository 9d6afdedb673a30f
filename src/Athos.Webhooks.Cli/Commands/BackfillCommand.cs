using System.CommandLine;
using System.Globalization;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Cli.Output;
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

        var watch = new Watch(wait, pollEvery, terminal, format, time);
        return await CliServices.RunAsync<IBackfillHandler>(configuration, error, backfill =>
            StartAsync(backfill, from, to, sourceText == AllSources ? null : [sourceText], watch, output, error, cancellationToken));
    }

    /// <summary>Whether and how to watch the job.</summary>
    private sealed record Watch(bool Wait, TimeSpan PollEvery, bool Terminal, OutputFormat Format, TimeProvider Time);

    /// <summary>
    /// Starts the job and, when asked, watches it until it ends. While watching, the progress is a message (standard
    /// error, one rewritten line on a terminal, a line per change otherwise); the job as it ends is the data.
    /// </summary>
    private static async Task<int> StartAsync(IBackfillHandler backfill, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<string>? sources, Watch watch, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var job = await backfill.StartAsync(from, to, sources, cancellationToken);
        if (job.OptionalString("problem") is { } problem)
        {
            await error.WriteLineAsync($"--{job.OptionalString("field")}: {problem}");
            return ExitCodes.Usage;
        }

        var jobId = job.String("jobId");
        var started = $"Backfill {jobId} started for calls {from:u} to {to:u} ({string.Join(',', job.Strings("sources"))}).";
        if (!watch.Wait)
        {
            if (watch.Format == OutputFormat.Json)
            {
                BackfillOutput.Write(output, job, watch.Format);
            }
            else
            {
                await output.WriteLineAsync(started);
            }

            return ExitCodes.Ok;
        }

        await error.WriteLineAsync($"{started} Waiting for the queue worker (athos-webhooks serve, or the Functions app) to process its pages; Ctrl-C stops watching, not the job.");
        var last = string.Empty;
        try
        {
            while (true)
            {
                job = await backfill.GetAsync(jobId, cancellationToken) ?? job;
                var line = BackfillOutput.Line(job);
                var status = job.String("status");
                if (watch.Terminal)
                {
                    var spinner = "|/-\\"[(int)(watch.Time.GetUtcNow().UtcTicks / TimeSpan.TicksPerSecond % 4)];
                    await error.WriteAsync($"\r{status switch { BackfillOutput.Completed => '✓', BackfillOutput.Failed => '✗', _ => spinner }} {line}   ");
                }
                else if (line != last)
                {
                    await error.WriteLineAsync(line);
                }

                last = line;
                if (status is BackfillOutput.Completed or BackfillOutput.Failed)
                {
                    if (watch.Terminal)
                    {
                        await error.WriteLineAsync();
                    }

                    BackfillOutput.Write(output, job, watch.Format);
                    return ExitCodes.OfBackfill(job);
                }

                await Task.Delay(watch.PollEvery, watch.Time, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync($"{Environment.NewLine}Stopped watching; job {jobId} goes on. Its progress: GET /api/athos/backfill/{jobId} on the Functions app, or row backfill/{jobId} of the AthosState table.");
            BackfillOutput.Write(output, job, watch.Format);
            return ExitCodes.Ok;
        }
    }

    private static bool TryTime(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
}
