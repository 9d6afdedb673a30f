using System.Text.Json;
using Athos.Webhooks.Exports;

namespace Athos.Webhooks.Operations;

/// <summary><c>export</c>: runs the analytics export now, and copies what is live in <c>athos-exports</c> to a local directory.</summary>
public interface IExportHandler
{
    /// <summary>
    /// One export run, as the timer runs it (one at a time: a run that finds another holding the lease is skipped):
    /// its summary, as docs/operations.md documents export's JSON. <paramref name="now"/> forces the rebuild of the
    /// rebuilt datasets; <paramref name="compact"/> merges each date's changes files into one.
    /// </summary>
    Task<JsonElement> ExportAsync(bool now, bool compact, CancellationToken cancellationToken);

    /// <summary>
    /// Copies the live <c>calls/current</c>, <c>scores</c> and <c>agents</c> versions and every changes file to
    /// <paramref name="directory"/>, under the same relative paths, deleting there what the container no longer has:
    /// <c>{"directory","files","changesFiles"}</c>.
    /// </summary>
    Task<JsonElement> CopyToAsync(string directory, CancellationToken cancellationToken);
}

/// <inheritdoc cref="IExportHandler"/>
internal sealed class ExportHandler(ExportRun run, LocalExportCopy copy) : IExportHandler
{
    public async Task<JsonElement> ExportAsync(bool now, bool compact, CancellationToken cancellationToken) =>
        JsonSerializer.SerializeToElement(await run.RunAsync(new ExportRequest(now, compact), cancellationToken), OperationsJsonContext.Default.ExportSummary);

    public async Task<JsonElement> CopyToAsync(string directory, CancellationToken cancellationToken) =>
        JsonSerializer.SerializeToElement(await copy.CopyAsync(directory, cancellationToken), OperationsJsonContext.Default.LocalCopyResult);
}
