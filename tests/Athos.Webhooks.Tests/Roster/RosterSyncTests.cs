using Athos.Simulator;
using Athos.Webhooks.Operations;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Roster;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.Azure;

namespace Athos.Webhooks.Tests.Roster;

/// <summary>
/// The roster mirror (<c>AthosAgents</c>) against the simulator's roster over real HTTP and real Azurite: renames,
/// removals, an unchanged roster that costs no write, the early contract, NPNs, and the queued look-up of a new rep.
/// </summary>
public sealed class RosterSyncTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly StorageRequestCounter _counter = new();
    private AthosSimulator _simulator = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 2727, FailureRate = 0, Contract = Athos.Simulator.AthosContract.Current });
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task A_rep_renamed_at_Athos_is_renamed_in_the_mirror_by_the_next_sync()
    {
        await using var app = await StartAppAsync();
        var first = await SyncAsync(app);
        var rep = _simulator.Roster.Snapshot()[3];
        Assert.Equal(RosterRun.Synced, first.Status);
        Assert.Equal(_simulator.Roster.Count, first.Listed);
        Assert.Equal($"{rep.FirstName} {rep.LastName}", (await MirrorRowAsync(rep.Id))!.FullName);

        _simulator.Roster.Rename(rep.Id, "Renata", "Okonkwo-Lee");
        var second = await SyncAsync(app);

        var row = (await MirrorRowAsync(rep.Id))!;
        Assert.Equal("Renata Okonkwo-Lee", row.FullName);
        Assert.Equal(rep.PlatformAgentId, row.PlatformAgentId);
        Assert.Equal(1, second.Written);
        Assert.Equal(0, second.Removed);
    }

    [Fact]
    public async Task A_sync_Athos_fails_half_way_is_recorded_failed_marks_no_one_removed_and_the_next_sync_completes()
    {
        await using var app = await StartAppAsync(("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050"));
        await SyncAsync(app);
        var rep = _simulator.Roster.Snapshot()[1];
        _simulator.Roster.Rename(rep.Id, "Ines", "Halvorsen");

        // The last page of the roster fails however often it is asked: the page-through never ends.
        var lastPage = Math.Max(1, (_simulator.Roster.Count + 99) / 100);
        _simulator.Faults.Add(r => r.Operation == ApiOperation.Agents && r.Page == lastPage, FaultResponse.InternalError);
        var failed = await SyncAsync(app);

        Assert.Equal(RosterRun.Failed, failed.Status);
        Assert.False(string.IsNullOrWhiteSpace(failed.Reason));
        // An unfinished listing proves nobody gone: no rep is marked removed on it.
        Assert.DoesNotContain(await app.Get<RosterReader>().ReadAllAsync(Ct).ToListAsync(Ct), a => a.RemovedAt is not null);

        _simulator.Faults.Clear();
        var next = await SyncAsync(app);
        Assert.Equal(RosterRun.Synced, next.Status);
        Assert.Equal(0, next.Removed);
        Assert.Equal("Ines Halvorsen", (await MirrorRowAsync(rep.Id))!.FullName);
    }

    [Fact]
    public async Task An_agent_Athos_no_longer_lists_is_marked_removed_with_when_and_kept()
    {
        await using var app = await StartAppAsync();
        await SyncAsync(app);
        var gone = _simulator.Roster.Snapshot()[0];

        _simulator.Roster.Remove(gone.Id);
        var run = await SyncAsync(app);
        var again = await SyncAsync(app);

        var row = (await MirrorRowAsync(gone.Id))!;
        Assert.Equal(run.StartedAt, row.RemovedAt);
        Assert.Equal($"{gone.FirstName} {gone.LastName}", row.FullName);
        Assert.Equal(1, run.Removed);
        Assert.Equal(0, again.Removed);
        Assert.Equal(0, again.Purged);
        Assert.Equal(_simulator.Roster.Count + 1, await CountMirrorAsync());
    }

    [Fact]
    public async Task A_removed_agent_past_ATHOS_ROSTER_REMOVED_RETENTION_is_deleted_by_the_sync()
    {
        await using var app = await StartAppAsync(("ATHOS_ROSTER_REMOVED_RETENTION", "00:00:00"));
        await SyncAsync(app);
        var gone = _simulator.Roster.Snapshot()[1];
        _simulator.Roster.Remove(gone.Id);

        var marked = await SyncAsync(app);
        var purged = await SyncAsync(app);

        Assert.Equal(1, marked.Removed);
        Assert.Equal(1, purged.Purged);
        Assert.Null(await MirrorRowAsync(gone.Id));
        Assert.Equal(_simulator.Roster.Count, await CountMirrorAsync());
    }

    [Fact]
    public async Task An_unchanged_roster_writes_no_row_and_costs_one_Athos_request_per_hundred_agents()
    {
        await using var app = await StartAppAsync();
        await SyncAsync(app);
        var athosBefore = _simulator.Requests.Total;
        _counter.Reset();

        var run = await SyncAsync(app);

        Assert.Equal(0, run.Written);
        var agentWrites = _counter.Requests.Where(r => r.Method != "GET" && r.Uri.AbsolutePath.Contains("/" + StorageNames.AgentsTable, StringComparison.Ordinal)).ToList();
        Assert.Empty(agentWrites);
        var pages = (_simulator.Roster.Count + 99) / 100;
        Assert.Equal(pages, run.Pages);
        Assert.Equal(pages, _simulator.Requests.Total - athosBefore);
    }

    [Fact]
    public async Task On_an_early_contract_tenant_the_sync_is_skipped_with_the_reason_in_status()
    {
        await using var app = await StartAppAsync();
        await app.Get<ReconcileStateStore>().SaveContractAsync(Athos.Webhooks.AthosApi.AthosContract.Early, Ct);
        var athosBefore = _simulator.Requests.Total;

        var run = await SyncAsync(app);

        Assert.Equal(RosterRun.Skipped, run.Status);
        Assert.Equal(athosBefore, _simulator.Requests.Total);
        Assert.Equal(0, await CountMirrorAsync());
        var now = DateTimeOffset.UtcNow;
        var status = await app.Get<IStatusHandler>().StatusAsync(now.AddHours(-1), now, Ct);
        var roster = status.GetProperty("roster");
        Assert.Equal("skipped", roster.GetProperty("status").GetString());
        Assert.Equal(RosterSync.EarlyContractReason, roster.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_tenant_whose_Athos_has_no_roster_endpoint_is_skipped_with_the_reason()
    {
        await using var early = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 2728, FailureRate = 0 }, cancellationToken: Ct);
        await using var app = await TestApp.StartAsync(early, storage.Azurite, []);

        var run = (await app.Get<RosterSync>().RunAsync(Ct))!;

        Assert.Equal(RosterRun.Skipped, run.Status);
        Assert.Contains(RosterSync.EarlyContractReason, run.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Npns_are_mirrored_only_when_ATHOS_ROSTER_MIRROR_NPN_asks_for_them()
    {
        var rep = _simulator.Roster.Snapshot()[2];
        await using (var app = await StartAppAsync())
        {
            await SyncAsync(app);
            Assert.Null((await MirrorRowAsync(rep.Id))!.Npn);
        }

        await using (var app = await StartAppAsync((RosterOptions.MirrorNpnSetting, "true")))
        {
            var run = await SyncAsync(app);
            Assert.Equal(rep.Npn, (await MirrorRowAsync(rep.Id))!.Npn);
            Assert.Equal(_simulator.Roster.Count, run.Written);
        }
    }

    [Fact]
    public async Task A_rep_the_mirror_lacks_is_looked_up_by_a_queued_item_once_and_never_for_a_known_rep()
    {
        await using var app = await StartAppAsync();
        var queue = new TestQueues(storage.ConnectionString);
        var lookup = app.Get<AgentLookup>();
        var known = _simulator.Roster.Snapshot()[0];

        // Before this instance has synced it knows nothing, and asks for nothing.
        await lookup.NoteAsync(known.Id, WorkOrigin.Webhook, Ct);
        Assert.Equal(0, await queue.CountAsync());

        await SyncAsync(app);
        var added = Assert.Single(_simulator.Roster.AddAgents(1, DateTimeOffset.UtcNow));
        await lookup.NoteAsync(known.Id, WorkOrigin.Webhook, Ct);
        await lookup.NoteAsync(added.Id, WorkOrigin.Webhook, Ct);
        await lookup.NoteAsync(added.Id, WorkOrigin.Webhook, Ct);

        var message = Assert.Single(await queue.ReceiveAsync());
        var outcome = await app.Get<WorkItemProcessor>().ProcessAsync(message.Body, message.MessageId, 1, Ct);

        Assert.Equal(WorkOutcome.Stored, outcome);
        Assert.Equal($"{added.FirstName} {added.LastName}", (await MirrorRowAsync(added.Id))!.FullName);
    }

    [Fact]
    public async Task The_roster_reader_pages_every_agent_removed_ones_with_their_removal_and_agency_names_where_supplied()
    {
        await using var app = await StartAppAsync();
        await SyncAsync(app);
        var gone = _simulator.Roster.Snapshot()[5];
        _simulator.Roster.Remove(gone.Id);
        var run = await SyncAsync(app);
        var agency = _simulator.Roster.Snapshot()[0].AgencyId;
        await app.Get<IRosterHandler>().ImportAgencyNamesAsync(new StringReader($"agencyId,name\n{agency},\"Harbor Benefits, LLC\"\n"), Ct);

        var agents = new List<MirroredAgent>();
        await foreach (var agent in app.Get<RosterReader>().ReadAllAsync(Ct))
        {
            agents.Add(agent);
        }

        Assert.Equal(_simulator.Roster.Count + 1, agents.Count);
        Assert.Equal(run.StartedAt, Assert.Single(agents, a => a.RemovedAt is not null).RemovedAt);
        Assert.All(agents.Where(a => a.AgencyId == agency), a => Assert.Equal("Harbor Benefits, LLC", a.AgencyName));
        Assert.All(agents.Where(a => a.AgencyId != agency), a => Assert.Null(a.AgencyName));
    }

    private static async Task<RosterRun> SyncAsync(TestApp app) =>
        await app.Get<RosterSync>().RunAsync(Ct) ?? throw new InvalidOperationException("The roster lock was held.");

    private Task<TestApp> StartAppAsync(params (string Name, string? Value)[] settings) =>
        TestApp.StartAsync(_simulator, storage.Azurite, settings, services => services.AddAzureClients(azure => azure.ConfigureDefaults(options => options.AddPolicy(_counter, HttpPipelinePosition.PerCall))));

    private async Task<AgentRow?> MirrorRowAsync(string agentId)
    {
        var response = await new TableClient(storage.ConnectionString, StorageNames.AgentsTable).GetEntityIfExistsAsync<AgentRow>(agentId, string.Empty, cancellationToken: Ct);
        return response.HasValue ? response.Value : null;
    }

    private async Task<int> CountMirrorAsync()
    {
        var count = 0;
        await foreach (var _ in new TableClient(storage.ConnectionString, StorageNames.AgentsTable).QueryAsync<TableEntity>(select: ["PartitionKey"], cancellationToken: Ct))
        {
            count++;
        }

        return count;
    }
}
