using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Athos.Webhooks.Enrichment;

namespace Athos.Webhooks.Operations;

/// <summary><c>reproject</c>: rebuilds the call tables from the archive blobs, resuming an interrupted run.</summary>
public interface IReprojectHandler
{
    /// <summary>
    /// Rebuilds the call tables from the archive blobs (written since <paramref name="since"/>, or all), resuming an
    /// interrupted run unless <paramref name="restart"/>: its counts as it goes, the last when it is done, each as
    /// docs/operations.md documents reproject's JSON. Stopped, it throws <see cref="OperationCanceledException"/>; a run
    /// again resumes where it stopped.
    /// </summary>
    IAsyncEnumerable<JsonElement> ReprojectAsync(DateTimeOffset? since, bool restart, CancellationToken cancellationToken);
}

/// <inheritdoc cref="IReprojectHandler"/>
internal sealed class ReprojectHandler(CallReprojector reprojector) : IReprojectHandler
{
    public async IAsyncEnumerable<JsonElement> ReprojectAsync(DateTimeOffset? since, bool restart, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var snapshots = Channel.CreateUnbounded<ReprojectProgress>(new UnboundedChannelOptions { SingleReader = true });
        var run = RunAsync(since, restart, snapshots.Writer, cancellationToken);

        // Read to the end whatever happens: the run completes the channel, and its failure or stop is thrown below.
        ReprojectProgress? last = null;
        await foreach (var snapshot in snapshots.Reader.ReadAllAsync(CancellationToken.None))
        {
            last = snapshot;
            yield return Document(snapshot);
        }

        var done = await run;
        if (done != last)
        {
            yield return Document(done);
        }
    }

    private async Task<ReprojectProgress> RunAsync(DateTimeOffset? since, bool restart, ChannelWriter<ReprojectProgress> snapshots, CancellationToken cancellationToken)
    {
        try
        {
            return await reprojector.RunAsync(since, restart, new ChannelProgress(snapshots), cancellationToken);
        }
        finally
        {
            snapshots.Complete();
        }
    }

    private static JsonElement Document(ReprojectProgress counts) =>
        JsonSerializer.SerializeToElement(new ReprojectReport(counts.Scanned, counts.Rewritten, counts.Current, counts.Unreadable), OperationsJsonContext.Default.ReprojectReport);

    /// <summary>Hands each snapshot on in the order the run reports them (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
    private sealed class ChannelProgress(ChannelWriter<ReprojectProgress> snapshots) : IProgress<ReprojectProgress>
    {
        public void Report(ReprojectProgress value) => snapshots.TryWrite(value);
    }
}
