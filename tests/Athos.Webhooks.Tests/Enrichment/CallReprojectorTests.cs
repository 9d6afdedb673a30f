using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Cli.Commands;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Enrichment;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;

namespace Athos.Webhooks.Tests.Enrichment;

/// <summary>
/// Rows written by an older version (<c>SchemaVersion</c> 1) gain the new columns from the archive blobs, without Athos:
/// <c>reproject</c>, and the next time their call is stored.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class CallReprojectorTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly string[] SchemaTwoColumns = [nameof(CallRow.AgentId), nameof(CallRow.AgencyId), nameof(CallRow.ComplianceTotalScore), nameof(CallRow.RecordingStatus), nameof(CallRow.RecordingError)];

    private AthosSimulator _simulator = null!;
    private TestApp _app = null!;
    private TestTables _tables = null!;
    private TableServiceClient _tableService = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 88, FailureRate = 0 });
        _app = await TestApp.StartAsync(StackSettings.For(_simulator, storage.Azurite));
        _tables = new TestTables(storage.ConnectionString);
        _tableService = new TableServiceClient(storage.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task Reproject_upgrades_every_schema_1_row_from_the_archive_without_asking_Athos_and_a_second_run_writes_nothing()
    {
        var calls = await StoreAsync(30);
        await StoreFailureAsync("athos_call_failedold");
        await DowngradeToSchemaOneAsync();
        var detailRequests = _simulator.Requests.DetailRequests;

        var first = await _app.Get<CallReprojector>().RunAsync(since: null, restart: false, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(new { Scanned = 31, Rewritten = 31, Current = 0, Unreadable = 0 }, new { first.Scanned, first.Rewritten, first.Current, first.Unreadable });
        Assert.Equal(detailRequests, _simulator.Requests.DetailRequests);
        foreach (var table in new[] { StorageNames.CallsTable, StorageNames.CallsByUserTable, StorageNames.CallsByDayTable })
        {
            Assert.All(await _tables.QueryAsync(table, string.Empty), row => Assert.Equal(CallRow.CurrentSchemaVersion, row.SchemaVersion));
        }

        Assert.All(calls, call => Assert.Equal(RecordingStatus.None, _tables.MainAsync(call.Id).Result!.RecordingStatus));
        var second = await _app.Get<CallReprojector>().RunAsync(since: null, restart: false, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(new { Scanned = 30, Rewritten = 0, Current = 30 }, new { second.Scanned, second.Rewritten, second.Current });
    }

    [Fact]
    public async Task Reproject_gives_current_contract_rows_written_under_schema_1_their_athos_ids_compliance_total_and_recording_status()
    {
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 89, FailureRate = 0, Contract = Athos.Simulator.AthosContract.Current }, cancellationToken: TestContext.Current.CancellationToken);
        await using var app = await TestApp.StartAsync(StackSettings.For(simulator, storage.Azurite));
        var calls = simulator.AddCalls(40, DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddHours(-1));
        foreach (var call in calls)
        {
            await app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) }), "m-" + call.Id, 1, TestContext.Current.CancellationToken);
        }

        await DowngradeToSchemaOneAsync();
        Assert.All(await _tables.QueryAsync(StorageNames.CallsTable, string.Empty), row => Assert.Null(row.AgentId));

        var run = await app.Get<CallReprojector>().RunAsync(null, restart: false, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(new { Scanned = 40, Rewritten = 40 }, new { run.Scanned, run.Rewritten });
        Assert.Contains(calls, c => c.ComplianceScorecard is not null);
        foreach (var call in calls)
        {
            var row = await _tables.MainAsync(call.Id);
            var expectedCompliance = call.ComplianceScorecard is { } card && card.TryGetProperty("totalScore", out var total) ? total.GetDouble() : (double?)null;
            Assert.Equal(new { AgentId = (string?)call.AgentId, AgencyId = (string?)call.AgencyId, ComplianceTotalScore = expectedCompliance, SchemaVersion = CallRow.CurrentSchemaVersion }, new { row!.AgentId, row.AgencyId, row.ComplianceTotalScore, row.SchemaVersion });
            Assert.Equal(call.RecordingBytes is null ? RecordingStatus.None : RecordingStatus.Archived, row.RecordingStatus);
            Assert.Equal(TableKeys.UserPartition(call.ExternalUserId ?? call.AgentId), Assert.Single((await _tables.IndexRowsAsync(call.Id)).ByUser).PartitionKey);
        }
    }

    [Fact]
    public async Task An_interrupted_reproject_resumes_where_it_stopped()
    {
        await StoreAsync(250);
        await DowngradeToSchemaOneAsync();
        using var stop = new CancellationTokenSource();
        var reports = 0;
        var progress = new SynchronousProgress(_ => { if (++reports == 1) { stop.Cancel(); } });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _app.Get<CallReprojector>().RunAsync(null, false, progress, stop.Token));
        var afterFirstPage = (await _tables.QueryAsync(StorageNames.CallsTable, $"SchemaVersion eq {CallRow.CurrentSchemaVersion}")).Count;
        var resumed = await _app.Get<CallReprojector>().RunAsync(null, false, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(100, afterFirstPage);
        Assert.Equal(new { Scanned = 250, Rewritten = 250 }, new { resumed.Scanned, resumed.Rewritten });
        Assert.Equal(250, (await _tables.QueryAsync(StorageNames.CallsTable, $"SchemaVersion eq {CallRow.CurrentSchemaVersion}")).Count);
    }

    [Fact]
    public async Task Since_limits_reproject_to_blobs_written_after_it()
    {
        await StoreAsync(5);
        var since = DateTimeOffset.UtcNow;
        await Task.Delay(1100, TestContext.Current.CancellationToken);
        var later = await StoreAsync(3);
        await DowngradeToSchemaOneAsync();

        var run = await _app.Get<CallReprojector>().RunAsync(since, restart: false, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(new { Scanned = 3, Rewritten = 3 }, new { run.Scanned, run.Rewritten });
        Assert.Equal(later.Select(c => c.Id).Order(), (await _tables.QueryAsync(StorageNames.CallsTable, $"SchemaVersion eq {CallRow.CurrentSchemaVersion}")).Select(r => r.CallId).Order());
    }

    [Fact]
    public async Task A_schema_1_row_is_upgraded_when_its_unchanged_version_is_fetched_again()
    {
        var call = (await StoreAsync(1))[0];
        await DowngradeToSchemaOneAsync();

        var outcome = await ProcessAsync(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) });
        var again = await ProcessAsync(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) });

        Assert.Equal(new { Outcome = WorkOutcome.Stored, Again = WorkOutcome.Unchanged }, new { Outcome = outcome, Again = again });
        Assert.Equal(CallRow.CurrentSchemaVersion, (await _tables.MainAsync(call.Id))!.SchemaVersion);
    }

    [Fact]
    public async Task The_reproject_command_shows_its_counts_and_refuses_a_bad_since()
    {
        await StoreAsync(3);
        await DowngradeToSchemaOneAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(StackSettings.For(_simulator, storage.Azurite)).Build();
        var output = new StringWriter();
        var error = new StringWriter();

        var bad = await ReprojectCommand.RunAsync(configuration, output, error, "yesterday-ish", restart: false, OutputFormat.Table, terminal: false, TimeProvider.System, TestContext.Current.CancellationToken);
        var exit = await ReprojectCommand.RunAsync(configuration, output, error, "1d", restart: false, OutputFormat.Table, terminal: false, TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(new { Bad = 2, Exit = 0 }, new { Bad = bad, Exit = exit });
        Assert.StartsWith("--since must be an ISO 8601 time", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("scanned 3 · rewritten 3 · already current 0 · unreadable 0. Done.", output.ToString(), StringComparison.Ordinal);
    }

    private async Task<List<SimulatedCall>> StoreAsync(int count)
    {
        var calls = _simulator.AddCalls(count, DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddHours(-1)).ToList();
        foreach (var call in calls)
        {
            Assert.Equal(WorkOutcome.Stored, await ProcessAsync(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) }));
        }

        return calls;
    }

    private async Task StoreFailureAsync(string callId) =>
        Assert.Equal(WorkOutcome.FailureRecorded, await ProcessAsync(new ScoringFailedWorkItem { Origin = WorkOrigin.Webhook, CallId = CallId.Parse(callId), OccurredAt = DateTimeOffset.UtcNow.AddHours(-3), ExternalUserId = "rep_1", Reason = "SCORING_INCOMPLETE" }));

    private int _messages;

    private Task<WorkOutcome> ProcessAsync(WorkItem item) =>
        _app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(item), "msg-" + Interlocked.Increment(ref _messages), 1, TestContext.Current.CancellationToken);

    // What the previous release wrote: the same rows without the columns schema 2 added.
    private async Task DowngradeToSchemaOneAsync()
    {
        foreach (var name in new[] { StorageNames.CallsTable, StorageNames.CallsByUserTable, StorageNames.CallsByDayTable })
        {
            var table = _tableService.GetTableClient(name);
            await foreach (var entity in table.QueryAsync<TableEntity>(cancellationToken: TestContext.Current.CancellationToken))
            {
                foreach (var column in SchemaTwoColumns)
                {
                    entity.Remove(column);
                }

                entity["SchemaVersion"] = 1;
                await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, TestContext.Current.CancellationToken);
            }
        }
    }

    private sealed class SynchronousProgress(Action<ReprojectProgress> report) : IProgress<ReprojectProgress>
    {
        public void Report(ReprojectProgress value) => report(value);
    }
}
