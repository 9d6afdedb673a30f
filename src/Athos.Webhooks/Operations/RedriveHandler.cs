using System.Text.Json;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Operations;

/// <summary><c>redrive</c>: parked work items (and what waits in the poison queue) back on the work queue, or only counted.</summary>
public interface IRedriveHandler
{
    /// <summary>
    /// Moves (or, <paramref name="dryRun"/>, counts) the parked work items: the counts, as docs/operations.md documents
    /// redrive's JSON (<c>dryRun</c>, <c>found</c>, <c>moved</c>, <c>unreadable</c>).
    /// </summary>
    Task<JsonElement> RedriveAsync(bool dryRun, CancellationToken cancellationToken);
}

/// <inheritdoc cref="IRedriveHandler"/>
internal sealed class RedriveHandler(ParkedRedrive redrive) : IRedriveHandler
{
    public async Task<JsonElement> RedriveAsync(bool dryRun, CancellationToken cancellationToken)
    {
        var result = await redrive.RunAsync(dryRun, cancellationToken);
        return JsonSerializer.SerializeToElement(new RedriveReport(dryRun, result.Found, result.Moved, result.Unreadable), OperationsJsonContext.Default.RedriveReport);
    }
}
