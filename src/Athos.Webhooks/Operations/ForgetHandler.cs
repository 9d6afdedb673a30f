using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Erasure;
using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Operations;

/// <summary><c>forget</c>: erases one call everywhere it is stored, or (<c>--allow-restore</c>) lifts its tombstone.</summary>
public interface IForgetHandler
{
    /// <summary>
    /// Erases one call everywhere it is stored, leaving a tombstone that keeps every path from storing it again, and an
    /// <c>erased</c> change in the feed; says what it removed: 0, or 1 when the call's rows kept changing under it.
    /// </summary>
    Task<int> ForgetAsync(CallId callId, OutputFormat format, TextWriter output, TextWriter messages, CancellationToken cancellationToken);

    /// <summary>
    /// Lifts an erased call's tombstone, so that the call may be stored again: 0, or 1 when the call is not erased (no
    /// tombstone: nothing to lift) or its row kept changing under it.
    /// </summary>
    Task<int> RestoreAsync(CallId callId, OutputFormat format, TextWriter output, TextWriter messages, CancellationToken cancellationToken);
}

/// <inheritdoc cref="IForgetHandler"/>
internal sealed class ForgetHandler(CallEraser eraser) : IForgetHandler
{
    public async Task<int> ForgetAsync(CallId callId, OutputFormat format, TextWriter output, TextWriter messages, CancellationToken cancellationToken)
    {
        OutputFormats.TableOrJson(format);
        ArgumentNullException.ThrowIfNull(messages);
        ErasureReport report;
        try
        {
            report = await eraser.EraseAsync(callId, cancellationToken);
        }
        catch (StorageConflictException ex)
        {
            await messages.WriteLineAsync($"{ex.Message} Writers of the call are at work: run forget again.");
            return 1;
        }

        ForgetOutput.Write(output, callId.Value, report, format);

        // Advice, not data: on standard error, so that the JSON alone reaches a pipe.
        await messages.WriteLineAsync($"Athos keeps its own copy: delete the call there too; the tombstone keeps a reconcile, rescan or backfill that lists it from storing it again only until {report.KeptUntil.UtcDateTime:yyyy-MM-dd} ({ErasureOptions.TombstoneRetentionSetting}).");
        return 0;
    }

    public async Task<int> RestoreAsync(CallId callId, OutputFormat format, TextWriter output, TextWriter messages, CancellationToken cancellationToken)
    {
        OutputFormats.TableOrJson(format);
        ArgumentNullException.ThrowIfNull(messages);
        CallRow? tombstone;
        try
        {
            tombstone = await eraser.RestoreAsync(callId, cancellationToken);
        }
        catch (StorageConflictException ex)
        {
            await messages.WriteLineAsync($"--allow-restore: {ex.Message} Run it again.");
            return 1;
        }

        if (tombstone is null)
        {
            await messages.WriteLineAsync($"--allow-restore: {callId} is not erased ({StorageNames.CallsTable} holds no tombstone for it), so there is nothing to lift; forget erases a call.");
            return 1;
        }

        ForgetOutput.WriteRestored(output, callId.Value, tombstone, format);
        return 0;
    }
}
