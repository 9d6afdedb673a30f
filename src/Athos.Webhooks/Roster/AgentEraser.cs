using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Erasure;
using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Roster;

/// <summary>What <see cref="AgentEraser.EraseAsync"/> did: whether the mirror row was there, and each call of the rep it erased.</summary>
internal sealed record AgentErasure(string AgentId, bool MirrorRowRemoved, IReadOnlyList<(string CallId, ErasureReport Report)> Calls);

/// <summary>
/// <c>forget --agent</c>: erases a rep's mirror row and, when asked, every stored call of theirs through
/// <see cref="CallEraser"/> (each under the call erasure's rules, tombstone included). Their calls are found in
/// <c>AthosCallsByUser</c>, which files a rep under <c>platformAgentId</c> when there is one, else <c>agentId</c>: both
/// partitions are read, and only rows naming the agent are taken. Without the mirror row (erased before, purged after
/// its retention, never synced) the <c>platformAgentId</c> is unknown, so <c>AthosCalls</c> is scanned for the
/// <c>AgentId</c> as well: slower, but no call of the rep is missed.
/// </summary>
internal sealed class AgentEraser(TableServiceClient tables, RosterReader roster, CallEraser calls)
{
    private readonly TableClient _agents = tables.GetTableClient(StorageNames.AgentsTable);
    private readonly TableClient _byUser = tables.GetTableClient(StorageNames.CallsByUserTable);
    private readonly TableClient _calls = tables.GetTableClient(StorageNames.CallsTable);

    public async Task<AgentErasure> EraseAsync(string agentId, bool withCalls, CancellationToken cancellationToken = default)
    {
        var mirrored = await roster.TryGetAsync(agentId, cancellationToken);
        var erased = new List<(string, ErasureReport)>();
        if (withCalls)
        {
            foreach (var callId in await CallIdsAsync(agentId, mirrored?.PlatformAgentId, scanCalls: mirrored is null, cancellationToken))
            {
                erased.Add((callId, await calls.EraseAsync(CallId.Parse(callId), cancellationToken)));
            }
        }

        // Last, so that a run cut short can be repeated and still find the rep's platformAgentId.
        var removed = mirrored is not null && await DeleteAsync(agentId, cancellationToken);
        return new AgentErasure(agentId, removed, erased);
    }

    private async Task<IReadOnlyList<string>> CallIdsAsync(string agentId, string? platformAgentId, bool scanCalls, CancellationToken cancellationToken)
    {
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var partition in new[] { platformAgentId, agentId }.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (TableKeys.UserPartition(partition) is not { } key)
            {
                continue;
            }

            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {key}");
            await foreach (var row in _byUser.QueryAsync<CallRow>(filter, select: ["CallId", "AgentId"], cancellationToken: cancellationToken))
            {
                // A platformAgentId partition could hold another rep's calls only if the customer reused the id; agentId decides.
                if (string.Equals(row.AgentId, agentId, StringComparison.Ordinal) && row.CallId is { Length: > 0 } callId)
                {
                    ids.Add(callId);
                }
            }
        }

        if (scanCalls)
        {
            var filter = TableClient.CreateQueryFilter($"AgentId eq {agentId} and Status ne {CallStatus.Erased}");
            await foreach (var row in _calls.QueryAsync<CallRow>(filter, select: ["CallId"], cancellationToken: cancellationToken))
            {
                if (row.CallId is { Length: > 0 } callId)
                {
                    ids.Add(callId);
                }
            }
        }

        return [.. ids];
    }

    private async Task<bool> DeleteAsync(string agentId, CancellationToken cancellationToken)
    {
        try
        {
            return (await _agents.DeleteEntityAsync(agentId, string.Empty, ETag.All, cancellationToken)).Status != 404;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }
}
