using System.Text.Json;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Erasure;
using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Operations;

/// <summary><c>forget</c>: erases one call everywhere it is stored, or lifts its tombstone.</summary>
public interface IForgetHandler
{
    /// <summary>
    /// Erases one call everywhere it is stored, leaving a tombstone that keeps every path from storing it again, and an
    /// <c>erased</c> change in the feed: what it removed, as docs/operations.md documents forget's JSON; or, when the
    /// call's rows kept changing under it, <c>{"callId","conflict"}</c> with what storage said.
    /// </summary>
    Task<JsonElement> ForgetAsync(CallId callId, CancellationToken cancellationToken);

    /// <summary>
    /// Lifts an erased call's tombstone, so that the call may be stored again: <c>{"callId","restored","erasedAt"}</c>,
    /// <c>restored</c> false when the call is not erased (no tombstone: nothing to lift); or <c>{"callId","conflict"}</c>
    /// when its row kept changing under it.
    /// </summary>
    Task<JsonElement> RestoreAsync(CallId callId, CancellationToken cancellationToken);
}

/// <inheritdoc cref="IForgetHandler"/>
internal sealed class ForgetHandler(CallEraser eraser) : IForgetHandler
{
    public async Task<JsonElement> ForgetAsync(CallId callId, CancellationToken cancellationToken)
    {
        try
        {
            var report = await eraser.EraseAsync(callId, cancellationToken);
            return JsonSerializer.SerializeToElement(
                new ForgetReport(callId.Value, report.Removed, report.Remaining, report.ErasedAt, report.KeptUntil, report.ErasedChange),
                OperationsJsonContext.Default.ForgetReport);
        }
        catch (StorageConflictException ex)
        {
            return Conflict(callId, ex);
        }
    }

    public async Task<JsonElement> RestoreAsync(CallId callId, CancellationToken cancellationToken)
    {
        try
        {
            var tombstone = await eraser.RestoreAsync(callId, cancellationToken);
            return JsonSerializer.SerializeToElement(new RestoreReport(callId.Value, tombstone is not null, tombstone?.ErasedAt), OperationsJsonContext.Default.RestoreReport);
        }
        catch (StorageConflictException ex)
        {
            return Conflict(callId, ex);
        }
    }

    private static JsonElement Conflict(CallId callId, StorageConflictException ex) =>
        JsonSerializer.SerializeToElement(new ConflictReport(callId.Value, ex.Message), OperationsJsonContext.Default.ConflictReport);
}
