using Athos.Webhooks.Reconciliation;

namespace Athos.Webhooks.Operations;

/// <summary>
/// <c>backfill</c>: starts the job and, when asked, watches it until it ends. While watching, the progress is a message
/// (standard error, one rewritten line on a terminal, a line per change otherwise); the job as it ends is the data.
/// </summary>
internal static class BackfillWatch
{
    /// <summary>What to start and how to watch it.</summary>
    public sealed record Request(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<string>? Sources, bool Wait, TimeSpan PollEvery, bool Terminal, OutputFormat Format);

    public static async Task<int> RunAsync(Backfiller backfiller, Request request, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        BackfillJob job;
        try
        {
            job = await backfiller.StartAsync(request.From, request.To, request.Sources, cancellationToken);
        }
        catch (BackfillRangeException ex)
        {
            await error.WriteLineAsync($"--{ex.Field}: {ex.Message}");
            return 2;
        }

        var started = $"Backfill {job.JobId} started for calls {request.From:u} to {request.To:u} ({job.Sources}).";
        if (!request.Wait)
        {
            if (request.Format == OutputFormat.Json)
            {
                BackfillOutput.Write(output, job, request.Format);
            }
            else
            {
                await output.WriteLineAsync(started);
            }

            return 0;
        }

        await error.WriteLineAsync($"{started} Waiting for the queue worker (athos-webhooks serve, or the Functions app) to process its pages; Ctrl-C stops watching, not the job.");
        var last = string.Empty;
        try
        {
            while (true)
            {
                job = await backfiller.GetAsync(job.JobId, cancellationToken) ?? job;
                var line = BackfillOutput.Line(job);
                if (request.Terminal)
                {
                    var spinner = "|/-\\"[(int)(DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond % 4)];
                    await error.WriteAsync($"\r{job.Status switch { BackfillStatus.Completed => '✓', BackfillStatus.Failed => '✗', _ => spinner }} {line}   ");
                }
                else if (line != last)
                {
                    await error.WriteLineAsync(line);
                }

                last = line;
                if (job.Status is BackfillStatus.Completed or BackfillStatus.Failed)
                {
                    if (request.Terminal)
                    {
                        await error.WriteLineAsync();
                    }

                    BackfillOutput.Write(output, job, request.Format);
                    return job.Status == BackfillStatus.Completed ? 0 : 1;
                }

                await Task.Delay(request.PollEvery, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync($"{Environment.NewLine}Stopped watching; job {job.JobId} goes on. Its progress: GET /api/athos/backfill/{job.JobId} on the Functions app, or row backfill/{job.JobId} of the AthosState table.");
            BackfillOutput.Write(output, job, request.Format);
            return 0;
        }
    }
}
