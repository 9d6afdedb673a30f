using System.Text.Json;
using Athos.Webhooks.Reconciliation;

namespace Athos.Webhooks.Operations;

/// <summary><c>backfill</c>: starts a backfill job, and reads a job's state for whoever watches it.</summary>
public interface IBackfillHandler
{
    /// <summary>
    /// Starts a backfill of the calls that ended between <paramref name="from"/> and <paramref name="until"/> (of
    /// <paramref name="sources"/>, or every configured source): the job as started, as docs/operations.md documents
    /// backfill's JSON; or, when the range cannot be loaded, <c>{"field","problem"}</c> naming the bound and why.
    /// </summary>
    Task<JsonElement> StartAsync(DateTimeOffset from, DateTimeOffset until, IReadOnlyList<string>? sources, CancellationToken cancellationToken);

    /// <summary>A job's state now, as <see cref="StartAsync"/> documents it; <see langword="null"/> when no job has that id.</summary>
    Task<JsonElement?> GetAsync(string jobId, CancellationToken cancellationToken);
}

/// <inheritdoc cref="IBackfillHandler"/>
internal sealed class BackfillHandler(Backfiller backfiller) : IBackfillHandler
{
    public async Task<JsonElement> StartAsync(DateTimeOffset from, DateTimeOffset until, IReadOnlyList<string>? sources, CancellationToken cancellationToken)
    {
        try
        {
            return Document(await backfiller.StartAsync(from, until, sources, cancellationToken));
        }
        catch (BackfillRangeException ex)
        {
            return JsonSerializer.SerializeToElement(new BackfillRefusal(ex.Field, ex.Message), OperationsJsonContext.Default.BackfillRefusal);
        }
    }

    public async Task<JsonElement?> GetAsync(string jobId, CancellationToken cancellationToken) =>
        await backfiller.GetAsync(jobId, cancellationToken) is { } job ? Document(job) : null;

    private static JsonElement Document(BackfillJob job) =>
        JsonSerializer.SerializeToElement(BackfillReport.Of(job), OperationsJsonContext.Default.BackfillReport);
}
