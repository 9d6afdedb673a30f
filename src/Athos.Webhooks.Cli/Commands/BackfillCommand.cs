using System.CommandLine;
using System.Globalization;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Reconciliation;

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
        command.SetAction(async (parse, _) =>
        {
            using var stop = new ConsoleCancellation();
            return await RunAsync(CliServices.Configuration(), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(from)!, parse.GetValue(to), parse.GetValue(source)!, !parse.GetValue(noWait), TimeSpan.FromSeconds(2), !Console.IsOutputRedirected, stop.Token);
        });
        return command;
    }

    private const string AllSources = "all";

    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter output, TextWriter error, string fromText, string? toText, string sourceText, bool wait, TimeSpan pollEvery, bool terminal, CancellationToken cancellationToken)
    {
        if (sourceText != AllSources && !CallSources.IsKnown(sourceText))
        {
            await error.WriteLineAsync($"--source must be {string.Join(", ", CallSources.All)} or {AllSources}; got '{sourceText}'.");
            return 2;
        }

        if (!TryTime(fromText, out var from))
        {
            await error.WriteLineAsync($"--from must be an ISO 8601 date or date-time; got '{fromText}'.");
            return 2;
        }

        var to = DateTimeOffset.UtcNow;
        if (toText is not null && !TryTime(toText, out to))
        {
            await error.WriteLineAsync($"--to must be an ISO 8601 date or date-time; got '{toText}'.");
            return 2;
        }

        return await StorageCommand.RunAsync(configuration, error, async services =>
        {
            var backfiller = services.GetRequiredService<Backfiller>();
            BackfillJob job;
            try
            {
                job = await backfiller.StartAsync(from, to, sourceText == AllSources ? null : [sourceText], cancellationToken);
            }
            catch (BackfillRangeException ex)
            {
                await error.WriteLineAsync($"--{ex.Field}: {ex.Message}");
                return 2;
            }

            await output.WriteLineAsync($"Backfill {job.JobId} started for calls {from:u} to {to:u} ({job.Sources}).");
            if (!wait)
            {
                return 0;
            }

            await output.WriteLineAsync("Waiting for the queue worker (athos-webhooks serve, or the Functions app) to process its pages; Ctrl-C stops watching, not the job.");
            var last = string.Empty;
            try
            {
                while (true)
                {
                    job = await backfiller.GetAsync(job.JobId, cancellationToken) ?? job;
                    var line = $"pages {job.PagesDone} · listed {job.Listed:N0} · missing {job.Missing:N0} · stale {job.Stale:N0} · queued {job.Queued:N0}{(job.SkippedSources is null ? string.Empty : " · not listed: " + job.SkippedSources)}{(job.LastError is null ? string.Empty : " · last error: " + job.LastError)}";
                    if (terminal)
                    {
                        var spinner = "|/-\\"[(int)(DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond % 4)];
                        await output.WriteAsync($"\r{(job.Status == BackfillStatus.Completed ? '✓' : spinner)} {line}   ");
                    }
                    else if (line != last)
                    {
                        await output.WriteLineAsync(line);
                    }

                    last = line;
                    if (job.Status == BackfillStatus.Completed)
                    {
                        await output.WriteLineAsync(terminal ? Environment.NewLine + "Completed." : "Completed.");
                        return 0;
                    }

                    await Task.Delay(pollEvery, cancellationToken);
                }
            }
            catch (OperationCanceledException)
            {
                await output.WriteLineAsync($"{Environment.NewLine}Stopped watching; job {job.JobId} goes on. Its progress: GET /api/athos/backfill/{job.JobId} on the Functions app, or row backfill/{job.JobId} of the AthosState table.");
                return 0;
            }
        });
    }

    private static bool TryTime(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
}
