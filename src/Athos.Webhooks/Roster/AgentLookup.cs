using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;

namespace Athos.Webhooks.Roster;

/// <summary>
/// The look-up of a rep a stored call names but the mirror lacks, off the hot path: the processor asks
/// <see cref="NoteAsync"/> after a call's commit (nothing but a check in memory, and a queue put for a new rep), and the
/// queued <see cref="AgentLookupWorkItem"/> reads Athos's roster filtered by that <c>agentId</c> (the contract has no
/// read of a single agent; an unknown one is an empty page, not 404).
/// </summary>
internal sealed partial class AgentLookup(AthosClient athos, TableServiceClient tables, WorkQueue queue, KnownAgents known, IOptions<RosterOptions> options, TimeProvider time, ILogger<AgentLookup> logger)
{
    private readonly TableClient _agents = tables.GetTableClient(StorageNames.AgentsTable);

    /// <summary>Queues a look-up of <paramref name="agentId"/> when this instance does not know it; best effort.</summary>
    public async Task NoteAsync(string? agentId, WorkOrigin origin, CancellationToken cancellationToken)
    {
        if (!AgentRow.IsUsableKey(agentId) || !known.ShouldLookUp(agentId))
        {
            return;
        }

        try
        {
            await queue.EnqueueAsync(new AgentLookupWorkItem { AgentId = agentId, Origin = origin, ReceivedAt = time.GetUtcNow() }, cancellationToken);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            // The call is stored; its rep comes with the next sync.
        }
    }

    /// <summary>Mirrors the one agent unless the mirror has it already (a sync got there first).</summary>
    public async Task<WorkOutcome> ProcessAsync(AgentLookupWorkItem item, CancellationToken cancellationToken)
    {
        if ((await _agents.GetEntityIfExistsAsync<AgentRow>(item.AgentId, string.Empty, cancellationToken: cancellationToken)).HasValue)
        {
            return WorkOutcome.Unchanged;
        }

        var page = await athos.ListAgentsPageAsync(null, item.AgentId, cancellationToken);
        if (page.Data.FirstOrDefault(a => string.Equals(a.Id, item.AgentId, StringComparison.Ordinal)) is not { } agent)
        {
            Log.NotListed(logger, item.AgentId);
            return WorkOutcome.NotFound;
        }

        await _agents.UpsertEntityAsync(AgentRow.From(agent, options.Value.MirrorNpn, time.GetUtcNow()), TableUpdateMode.Replace, cancellationToken);
        Log.LookedUp(logger, item.AgentId);
        return WorkOutcome.Stored;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.AgentLookedUp, Level = LogLevel.Information, Message = "Agent {AgentId}, named by a stored call, mirrored into AthosAgents")]
        public static partial void LookedUp(ILogger logger, string agentId);

        [LoggerMessage(EventId = LogEvents.AgentNotListed, Level = LogLevel.Warning, Message = "Agent {AgentId}, named by a stored call, is not on Athos's roster; not mirrored")]
        public static partial void NotListed(ILogger logger, string agentId);
    }
}
