using System.Text.Json;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Erasure;
using Athos.Webhooks.Exports;
using Athos.Webhooks.Roster;
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

    /// <summary>
    /// Erases a rep's row in the roster mirror (<c>AthosAgents</c>) and, with <paramref name="calls"/>, every stored call
    /// of theirs as <see cref="ForgetAsync"/> erases one: <c>{"agentId","mirrorRowRemoved","calls":[…forget's report…]}</c>;
    /// or, when a call's rows kept changing under it, <c>{"callId","conflict"}</c> (running it again carries on).
    /// </summary>
    Task<JsonElement> ForgetAgentAsync(string agentId, bool calls, CancellationToken cancellationToken);
}

/// <inheritdoc cref="IForgetHandler"/>
internal sealed class ForgetHandler(CallEraser eraser, AgentEraser agents, ChangesExportState export) : IForgetHandler
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

    public async Task<JsonElement> ForgetAgentAsync(string agentId, bool calls, CancellationToken cancellationToken)
    {
        try
        {
            var erased = await agents.EraseAsync(agentId, calls, cancellationToken);

            // The export's agents dataset names the rep: the next export run rebuilds it without them.
            await export.OweRebuildAsync(cancellationToken);
            return JsonSerializer.SerializeToElement(
                new ForgetAgentReport(
                    erased.AgentId,
                    erased.MirrorRowRemoved,
                    [.. erased.Calls.Select(c => new ForgetReport(c.CallId, c.Report.Removed, c.Report.Remaining, c.Report.ErasedAt, c.Report.KeptUntil, c.Report.ErasedChange))]),
                OperationsJsonContext.Default.ForgetAgentReport);
        }
        catch (StorageConflictException ex)
        {
            return JsonSerializer.SerializeToElement(new ConflictReport(agentId, ex.Message), OperationsJsonContext.Default.ConflictReport);
        }
    }

    private static JsonElement Conflict(CallId callId, StorageConflictException ex) =>
        JsonSerializer.SerializeToElement(new ConflictReport(callId.Value, ex.Message), OperationsJsonContext.Default.ConflictReport);
}
