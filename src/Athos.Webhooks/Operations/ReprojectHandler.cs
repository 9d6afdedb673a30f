using Athos.Webhooks.Enrichment;

namespace Athos.Webhooks.Operations;

/// <summary><c>reproject</c>: rebuilds the call tables from the archive blobs, resuming an interrupted run.</summary>
public interface IReprojectHandler
{
    /// <summary>
    /// Rebuilds the call tables from the archive blobs (written since <paramref name="since"/>, or all), resuming an
    /// interrupted run unless <paramref name="restart"/>; its progress line is rewritten on <paramref name="messages"/> when
    /// that is a <paramref name="terminal"/>. 0 done, 130 stopped (resumable).
    /// </summary>
    Task<int> ReprojectAsync(DateTimeOffset? since, bool restart, OutputFormat format, TextWriter output, TextWriter messages, bool terminal, CancellationToken cancellationToken);
}

/// <inheritdoc cref="IReprojectHandler"/>
internal sealed class ReprojectHandler(CallReprojector reprojector) : IReprojectHandler
{
    public async Task<int> ReprojectAsync(DateTimeOffset? since, bool restart, OutputFormat format, TextWriter output, TextWriter messages, bool terminal, CancellationToken cancellationToken)
    {
        OutputFormats.TableOrJson(format);
        ArgumentNullException.ThrowIfNull(messages);

        // Progress is a message: on standard error, and only to a terminal (a rewritten line means nothing in a log).
        var progress = new Progress<ReprojectProgress>(p =>
        {
            if (terminal)
            {
                messages.Write($"\r{ReprojectOutput.Line(p)}   ");
            }
        });
        try
        {
            var done = await reprojector.RunAsync(since, restart, progress, cancellationToken);
            if (terminal)
            {
                await messages.WriteLineAsync();
            }

            ReprojectOutput.Write(output, done, format);
            return 0;
        }
        catch (OperationCanceledException)
        {
            await messages.WriteLineAsync($"{Environment.NewLine}Stopped; run the same command again to resume where it stopped.");
            return OutputFormats.Stopped;
        }
    }
}
