using Athos.Webhooks.Reconciliation;

namespace Athos.Webhooks.Operations;

/// <summary><c>backfill</c>: starts a backfill job and, when asked, watches it until it ends.</summary>
public interface IBackfillHandler
{
    /// <summary>
    /// Starts a backfill of the calls that ended between <paramref name="from"/> and <paramref name="until"/> (of
    /// <paramref name="sources"/>, or every configured source) and, when <paramref name="wait"/>, watches it until it
    /// ends, polling every <paramref name="pollEvery"/> (its progress line rewritten on <paramref name="messages"/> when that is a
    /// <paramref name="terminal"/>): 0 started, completed or no longer watched, 1 failed, 2 a range that cannot be loaded.
    /// </summary>
    Task<int> BackfillAsync(DateTimeOffset from, DateTimeOffset until, IReadOnlyList<string>? sources, bool wait, TimeSpan pollEvery, bool terminal, OutputFormat format, TextWriter output, TextWriter messages, CancellationToken cancellationToken);
}

/// <summary>
/// Starts the job and, when asked, watches it until it ends. While watching, the progress is a message (standard error,
/// one rewritten line on a terminal, a line per change otherwise); the job as it ends is the data.
/// </summary>
internal sealed class BackfillHandler(Backfiller backfiller, TimeProvider time) : IBackfillHandler
{
    public Task<int> BackfillAsync(DateTimeOffset from, DateTimeOffset until, IReadOnlyList<string>? sources, bool wait, TimeSpan pollEvery, bool terminal, OutputFormat format, TextWriter output, TextWriter messages, CancellationToken cancellationToken)
    {
        OutputFormats.TableOrJson(format);
        return RunAsync(new(from, until, sources, wait, pollEvery, terminal, format), output, messages, cancellationToken);
    }

    private async Task<int> RunAsync(Request request, TextWriter output, TextWriter messages, CancellationToken cancellationToken)
    {
        BackfillJob job;
        try
        {
            job = await backfiller.StartAsync(request.From, request.To, request.Sources, cancellationToken);
        }
        catch (BackfillRangeException ex)
        {
            await messages.WriteLineAsync($"--{ex.Field}: {ex.Message}");
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

        await messages.WriteLineAsync($"{started} Waiting for the queue worker (athos-webhooks serve, or the Functions app) to process its pages; Ctrl-C stops watching, not the job.");
        var last = string.Empty;
        try
        {
            while (true)
            {
                job = await backfiller.GetAsync(job.JobId, cancellationToken) ?? job;
                var line = BackfillOutput.Line(job);
                if (request.Terminal)
                {
                    var spinner = "|/-\\"[(int)(time.GetUtcNow().UtcTicks / TimeSpan.TicksPerSecond % 4)];
                    await messages.WriteAsync($"\r{job.Status switch { BackfillStatus.Completed => '✓', BackfillStatus.Failed => '✗', _ => spinner }} {line}   ");
                }
                else if (line != last)
                {
                    await messages.WriteLineAsync(line);
                }

                last = line;
                if (job.Status is BackfillStatus.Completed or BackfillStatus.Failed)
                {
                    if (request.Terminal)
                    {
                        await messages.WriteLineAsync();
                    }

                    BackfillOutput.Write(output, job, request.Format);
                    return job.Status == BackfillStatus.Completed ? 0 : 1;
                }

                await Task.Delay(request.PollEvery, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            await messages.WriteLineAsync($"{Environment.NewLine}Stopped watching; job {job.JobId} goes on. Its progress: GET /api/athos/backfill/{job.JobId} on the Functions app, or row backfill/{job.JobId} of the AthosState table.");
            BackfillOutput.Write(output, job, request.Format);
            return 0;
        }
    }

    /// <summary>What to start and how to watch it.</summary>
    private sealed record Request(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<string>? Sources, bool Wait, TimeSpan PollEvery, bool Terminal, OutputFormat Format);
}
