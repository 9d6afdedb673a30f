using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Operations;

/// <summary><c>redrive</c>: parked work items (and what waits in the poison queue) back on the work queue, or only counted.</summary>
public interface IRedriveHandler
{
    /// <summary>Moves (or, <paramref name="dryRun"/>, counts) the parked work items, printing the counts: 0.</summary>
    Task<int> RedriveAsync(bool dryRun, OutputFormat format, TextWriter output, CancellationToken cancellationToken);
}

/// <inheritdoc cref="IRedriveHandler"/>
internal sealed class RedriveHandler(ParkedRedrive redrive) : IRedriveHandler
{
    public async Task<int> RedriveAsync(bool dryRun, OutputFormat format, TextWriter output, CancellationToken cancellationToken)
    {
        OutputFormats.TableOrJson(format);
        var result = await redrive.RunAsync(dryRun, cancellationToken);
        RedriveOutput.Write(output, result, dryRun, format);
        return 0;
    }
}
