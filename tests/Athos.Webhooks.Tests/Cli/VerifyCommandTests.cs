using System.Net.Http.Headers;
using System.Text.Json;
using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Changes;
using Athos.Webhooks.Cli.Commands;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Enrichment;
using Athos.Webhooks.Erasure;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Tests.Changes;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>
/// <c>verify</c> against real Azurite and the simulator: calls stored by the pipeline, discrepancies planted by writing
/// rows and blobs directly, each found, repaired, and gone on the next run.
/// </summary>
public sealed class VerifyCommandTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();
    private AthosSimulator _simulator = null!;
    private TableServiceClient _tables = null!;
    private TestTables _read = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 88, FailureRate = 0 });
        _tables = new TableServiceClient(storage.ConnectionString);
        _read = new TestTables(storage.ConnectionString);
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    /// <summary>As verify runs once writers are done: later than the settle time after the plants.</summary>
    private static FakeTimeProvider Settled() => new(DateTimeOffset.UtcNow + CallConsistencyChecker.SettleTime + TimeSpan.FromMinutes(1));

    [Fact]
    public async Task Calls_stored_by_the_pipeline_are_consistent()
    {
        await StoreAsync(_simulator.AddCalls(5, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddMinutes(-5)));

        var exit = await VerifyAsync(new("1h", Repair: false, Format: OutputFormat.Table), Settled());

        Assert.Equal(0, exit);
        Assert.Contains("Checked 5 call(s) written since", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("No discrepancies.", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_kind_of_discrepancy_is_found_repaired_and_gone_on_the_next_run()
    {
        var calls = await StoreAsync(_simulator.AddCalls(10, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddMinutes(-5)));
        var expected = await PlantEveryKindAsync(calls);

        var found = await VerifyJsonAsync(new("1h", Repair: false, Format: OutputFormat.Json), Settled());

        Assert.Equal(1, found.Exit);
        Assert.Equal(InOrder(expected), InOrder(Discrepancies(found.Json.GetProperty("discrepancies"))));

        var repaired = await VerifyJsonAsync(new("1h", Repair: true, Format: OutputFormat.Json), Settled());

        Assert.Equal(1, repaired.Exit);
        var repairs = repaired.Json.GetProperty("repairs").EnumerateArray().ToList();
        Assert.Equal(expected.Select(e => e.CallId).Distinct().Order(), repairs.Select(r => r.GetProperty("callId").GetString()!).Order());
        Assert.All(repairs, r => Assert.True(r.GetProperty("consistent").GetBoolean(), r.ToString()));
        Assert.All(repairs, r => Assert.NotEmpty(r.GetProperty("actions").EnumerateArray()));

        var again = await VerifyJsonAsync(new("2h", Repair: false, Format: OutputFormat.Json), Settled());

        Assert.Equal(0, again.Exit);
        Assert.Empty(again.Json.GetProperty("discrepancies").EnumerateArray());
        var rescored = calls[6];
        Assert.Equal(_simulator.Calls.Find(rescored.Id)!.OverallScore, (await _read.MainAsync(rescored.Id))!.OverallScore);
        Assert.Empty((await _read.IndexRowsAsync("athos_call_orphan000000")).ByUser);
    }

    /// <summary>
    /// A tombstone alone is consistent; an index row or archive blob beside it is what a writer put and died before it
    /// took back (it met the tombstone): an orphan, deleted by the repair, the recording with it.
    /// </summary>
    [Fact]
    public async Task What_a_writer_left_beside_a_tombstone_is_an_orphan_that_the_repair_deletes()
    {
        var calls = await StoreAsync(_simulator.AddCalls(2, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddMinutes(-5)));
        var (leftover, bare) = (calls[0].Id, calls[1].Id);
        var row = (await _read.MainAsync(leftover))!;
        var key = CallIndex.KeysOf(row).Single(k => k.Table == StorageNames.CallsByDayTable);
        var index = (await new CallIndex(_tables).ReadAsync(key, TestContext.Current.CancellationToken))!;
        var archive = new BlobContainerClient(storage.ConnectionString, StorageNames.RawCallsContainer).GetBlobClient(CallArchive.BlobName(leftover));
        var blob = (await archive.DownloadContentAsync(TestContext.Current.CancellationToken)).Value;
        await using (var app = await TestApp.StartAsync(StackSettings.For(_simulator, storage.Azurite)))
        {
            foreach (var call in calls)
            {
                await app.Get<CallEraser>().EraseAsync(CallId.Parse(call.Id), TestContext.Current.CancellationToken);
            }
        }

        await _tables.GetTableClient(key.Table).AddEntityAsync(index, TestContext.Current.CancellationToken);
        await archive.UploadAsync(blob.Content, new Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = blob.Details.Metadata }, TestContext.Current.CancellationToken);

        var found = await VerifyJsonAsync(new("1h", Repair: false, Format: OutputFormat.Json), Settled());

        Assert.Equal(1, found.Exit);
        Assert.Equal(
            InOrder([new Discrepancy(leftover, StorageNames.CallsByDayTable, "orphan"), new Discrepancy(leftover, StorageNames.RawCallsContainer, "orphan")]),
            InOrder(Discrepancies(found.Json.GetProperty("discrepancies"))));
        Assert.Equal(2, found.Json.GetProperty("callsChecked").GetInt32());

        var repaired = await VerifyJsonAsync(new("1h", Repair: true, Format: OutputFormat.Json), Settled());
        var again = await VerifyJsonAsync(new("1h", Repair: false, Format: OutputFormat.Json), Settled());

        Assert.True(Assert.Single(repaired.Json.GetProperty("repairs").EnumerateArray()).GetProperty("consistent").GetBoolean());
        Assert.Equal(0, again.Exit);
        Assert.False((await archive.ExistsAsync(TestContext.Current.CancellationToken)).Value);
        Assert.Null(await new CallIndex(_tables).ReadAsync(key, TestContext.Current.CancellationToken));
        Assert.Equal(CallStatus.Erased, (await _read.MainAsync(leftover))!.Status);
        Assert.Equal(CallStatus.Erased, (await _read.MainAsync(bare))!.Status);
    }

    [Fact]
    public async Task The_table_lists_each_discrepancy_with_call_table_kind_and_keys()
    {
        var call = (await StoreAsync(_simulator.AddCalls(1, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddMinutes(-5))))[0];
        var key = CallIndex.KeysOf((await _read.MainAsync(call.Id))!).Single(k => k.Table == StorageNames.CallsByDayTable);
        await _tables.GetTableClient(key.Table).DeleteEntityAsync(key.PartitionKey, key.RowKey, cancellationToken: TestContext.Current.CancellationToken);

        var exit = await VerifyAsync(new("1h", Repair: false, Format: OutputFormat.Table), Settled());

        Assert.Equal(1, exit);
        var line = Assert.Single(_output.ToString().Split('\n'), l => l.StartsWith(call.Id, StringComparison.Ordinal));
        Assert.Matches($"^{call.Id} +AthosCallsByDay +missing +{key.PartitionKey} / {key.RowKey} +no row; the main row holds scored ", line);
        Assert.Contains("1 discrepancy in 1 call(s).", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_discrepancy_written_in_the_last_minutes_is_in_flight_not_judged_and_not_repaired()
    {
        var call = (await StoreAsync(_simulator.AddCalls(1, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddMinutes(-5))))[0];
        var key = CallIndex.KeysOf((await _read.MainAsync(call.Id))!)[0];
        await _tables.GetTableClient(key.Table).DeleteEntityAsync(key.PartitionKey, key.RowKey, cancellationToken: TestContext.Current.CancellationToken);

        var now = await VerifyJsonAsync(new("1h", Repair: true, Format: OutputFormat.Json), TimeProvider.System);

        Assert.Equal(0, now.Exit);
        Assert.Empty(now.Json.GetProperty("discrepancies").EnumerateArray());
        Assert.Equal([new Discrepancy(call.Id, key.Table, "missing")], Discrepancies(now.Json.GetProperty("inFlight")));
        Assert.Empty(now.Json.GetProperty("repairs").EnumerateArray());
        Assert.Null(await new CallIndex(_tables).ReadAsync(key, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_call_written_before_since_is_not_checked()
    {
        var call = (await StoreAsync(_simulator.AddCalls(1, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddMinutes(-5))))[0];
        var key = CallIndex.KeysOf((await _read.MainAsync(call.Id))!)[0];
        await _tables.GetTableClient(key.Table).DeleteEntityAsync(key.PartitionKey, key.RowKey, cancellationToken: TestContext.Current.CancellationToken);
        var time = Settled();

        var exit = await VerifyAsync(new((time.GetUtcNow() - TimeSpan.FromMinutes(5)).ToString("O"), Repair: false, Format: OutputFormat.Table), time);

        Assert.Equal(0, exit);
        Assert.Contains("Checked 0 call(s)", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_json_output_has_the_documented_shape()
    {
        var call = (await StoreAsync(_simulator.AddCalls(1, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddMinutes(-5))))[0];
        var key = CallIndex.KeysOf((await _read.MainAsync(call.Id))!)[0];
        await _tables.GetTableClient(key.Table).DeleteEntityAsync(key.PartitionKey, key.RowKey, cancellationToken: TestContext.Current.CancellationToken);

        var (exit, json) = await VerifyJsonAsync(new("1h", Repair: true, Format: OutputFormat.Json), Settled());

        Assert.Equal(1, exit);
        Assert.Equal(["since", "checkedAt", "callsChecked", "consistent", "discrepancies", "inFlight", "repairs"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.String, json.GetProperty("since").ValueKind);
        Assert.True(json.GetProperty("checkedAt").TryGetDateTimeOffset(out _));
        Assert.Equal(1, json.GetProperty("callsChecked").GetInt32());
        Assert.False(json.GetProperty("consistent").GetBoolean());
        var item = Assert.Single(json.GetProperty("discrepancies").EnumerateArray());
        Assert.Equal(["callId", "table", "kind", "where", "detail"], item.EnumerateObject().Select(p => p.Name));
        Assert.Equal($"{key.PartitionKey} / {key.RowKey}", item.GetProperty("where").GetString());
        var repair = Assert.Single(json.GetProperty("repairs").EnumerateArray());
        Assert.Equal(["callId", "actions", "remaining", "consistent"], repair.EnumerateObject().Select(p => p.Name));
        Assert.StartsWith($"inserted the row at {key}", Assert.Single(repair.GetProperty("actions").EnumerateArray()).GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_version_whose_change_is_missing_from_the_feed_is_found_appended_by_repair_for_a_reader_past_its_stamp_and_gone_on_the_next_run()
    {
        // Stored by a writer whose clock is 20 minutes behind, which then lost its change (as one that died after its
        // commit): the stamp is well past the margin, and past the time to append there.
        var call = (await StoreAsync(_simulator.AddCalls(1, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddMinutes(-30)), new SkewedClock(TimeProvider.System, TimeSpan.FromMinutes(-20))))[0];
        var key = (await _read.MainAsync(call.Id))!.ChangeKey!;
        var stamp = ChangeKeys.StampOf(key);
        await _tables.GetTableClient(StorageNames.CallChangesTable).DeleteEntityAsync(ChangeKeys.PartitionKey(stamp), key, cancellationToken: TestContext.Current.CancellationToken);

        var found = await VerifyJsonAsync(new("1h", Repair: false, Format: OutputFormat.Json), Settled());

        Assert.Equal(1, found.Exit);
        var item = Assert.Single(found.Json.GetProperty("discrepancies").EnumerateArray());
        Assert.Equal(new Discrepancy(call.Id, StorageNames.CallChangesTable, "missing"), Discrepancies(found.Json.GetProperty("discrepancies")).Single());
        Assert.Equal($"{ChangeKeys.PartitionKey(stamp)} / {key}", item.GetProperty("where").GetString());
        Assert.StartsWith("no created change at the main row's ChangeKey; the main row holds scored ", item.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var repaired = await VerifyJsonAsync(new("1h", Repair: true, Format: OutputFormat.Json), Settled());

        var repair = Assert.Single(repaired.Json.GetProperty("repairs").EnumerateArray());
        Assert.True(repair.GetProperty("consistent").GetBoolean(), repair.ToString());
        var moved = (await _read.MainAsync(call.Id))!.ChangeKey!;
        Assert.Equal($"appended the created change to AthosCallChanges at a new stamp, {moved} (a void row holds {key}, too old to write at)", Assert.Single(repair.GetProperty("actions").EnumerateArray()).GetString());
        var rows = await TestCalls.ChangeRowsAsync(storage.ConnectionString);
        Assert.Equal([new { RowKey = key, Kind = ChangeKinds.Void }, new { RowKey = moved, Kind = ChangeKinds.Created }], rows.Select(r => new { r.RowKey, Kind = r.ChangeKind }));

        // A reader that had read past the lost stamp gets the change (the margin aside: this test's writers are all here).
        var feed = new CallChangeFeed(_tables, ChangeFeedOptions.DefaultRetention, TimeProvider.System, TimeSpan.Zero);
        var page = await feed.ReadChangesAsync(CallChangeFeed.CheckpointAt(stamp.AddSeconds(1)), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([new { CallId = call.Id, Kind = CallChangeKind.Created }], page.Changes.Select(c => new { c.CallId, c.Kind }));

        var again = await VerifyJsonAsync(new("1h", Repair: false, Format: OutputFormat.Json), Settled());

        Assert.Equal(0, again.Exit);
        Assert.Empty(again.Json.GetProperty("discrepancies").EnumerateArray());
    }

    [Fact]
    public async Task The_table_lists_a_missing_change_with_its_keys()
    {
        var call = (await StoreAsync(_simulator.AddCalls(1, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddMinutes(-5))))[0];
        var key = (await _read.MainAsync(call.Id))!.ChangeKey!;
        var partition = ChangeKeys.PartitionKey(ChangeKeys.StampOf(key));
        await _tables.GetTableClient(StorageNames.CallChangesTable).DeleteEntityAsync(partition, key, cancellationToken: TestContext.Current.CancellationToken);

        var exit = await VerifyAsync(new("1h", Repair: false, Format: OutputFormat.Table), Settled());

        Assert.Equal(1, exit);
        var line = Assert.Single(_output.ToString().Split('\n'), l => l.StartsWith(call.Id, StringComparison.Ordinal));
        Assert.Matches($"^{call.Id} +AthosCallChanges +missing +{partition} / {key} +no created change at the main row's ChangeKey; the main row holds scored ", line);
    }

    [Theory]
    [InlineData(null, "--since is required")]
    [InlineData("yesterday", "--since must be an ISO 8601 time (2026-06-01T00:00:00Z) or a duration back from now (30m, 2h, 7d); got 'yesterday'.")]
    [InlineData("2999-01-01T00:00:00Z", "--since must not be in the future; got '2999-01-01T00:00:00Z'.")]
    public async Task Bad_arguments_are_named_and_exit_2(string? since, string expected)
    {
        var exit = await VerifyAsync(new(since, Repair: false, OutputFormat.Table), TimeProvider.System);

        Assert.Equal(2, exit);
        Assert.StartsWith(expected, _error.ToString(), StringComparison.Ordinal);
        Assert.Empty(_output.ToString());
    }

    [Fact]
    public async Task Unreachable_storage_is_one_line_and_exit_1()
    {
        var closedPort = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;";

        var exit = await VerifyCommand.RunAsync(Configuration(("AzureWebJobsStorage", closedPort)), _output, _error, new("30m", Repair: false, Format: OutputFormat.Table), TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        var line = Assert.Single(_error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Storage failed or is unreachable:", line, StringComparison.Ordinal);
    }

    /// <summary>
    /// One discrepancy of each kind, each in its own call (plus one call without any row), written as a bug, a crash or a
    /// hand would leave them. Returns the (call, table, kind) triples verify must list.
    /// </summary>
    private async Task<List<Discrepancy>> PlantEveryKindAsync(IReadOnlyList<SimulatedCall> calls)
    {
        var ct = TestContext.Current.CancellationToken;
        var expected = new List<Discrepancy>();
        async Task<(CallRow Main, IndexKey User, IndexKey Day)> Keys(SimulatedCall call)
        {
            var main = (await _read.MainAsync(call.Id))!;
            var keys = CallIndex.KeysOf(main);
            return (main, keys.Single(k => k.Table == StorageNames.CallsByUserTable), keys.Single(k => k.Table == StorageNames.CallsByDayTable));
        }

        Task Put(IndexKey key, CallRow row) => _tables.GetTableClient(key.Table).UpsertEntityAsync(row.CloneWithKeys(key.PartitionKey, key.RowKey, withScoreJson: false), TableUpdateMode.Replace, ct);

        // An index row left at an older version (what the old writer could leave).
        var (main, user, _) = await Keys(calls[0]);
        var older = main.CloneWithKeys(main.PartitionKey, main.RowKey, withScoreJson: false);
        (older.ScoredAt, older.AthosUpdatedAt, older.OverallScore) = (main.ScoredAt!.Value.AddHours(-1), main.AthosUpdatedAt!.Value.AddHours(-1), 12);
        await Put(user, older);
        expected.Add(new Discrepancy(calls[0].Id, StorageNames.CallsByUserTable, "older"));

        // An index row missing.
        (_, _, var day) = await Keys(calls[1]);
        await _tables.GetTableClient(day.Table).DeleteEntityAsync(day.PartitionKey, day.RowKey, cancellationToken: ct);
        expected.Add(new Discrepancy(calls[1].Id, StorageNames.CallsByDayTable, "missing"));

        // A row left at the keys of an earlier day.
        (main, _, day) = await Keys(calls[2]);
        var earlier = main.EndedAt!.Value.AddDays(-3);
        await Put(new IndexKey(StorageNames.CallsByDayTable, TableKeys.Day(earlier), TableKeys.NewestFirstRowKey(earlier, main.CallId)), main);
        expected.Add(new Discrepancy(calls[2].Id, StorageNames.CallsByDayTable, "stale_keys"));

        // The same version with other values.
        (main, _, day) = await Keys(calls[3]);
        var edited = main.CloneWithKeys(main.PartitionKey, main.RowKey, withScoreJson: false);
        edited.Summary = "edited by hand";
        await Put(day, edited);
        expected.Add(new Discrepancy(calls[3].Id, StorageNames.CallsByDayTable, "different_values"));

        // An index row ahead of its main row (a writer that died before its commit, long ago).
        (main, user, _) = await Keys(calls[4]);
        var ahead = main.CloneWithKeys(main.PartitionKey, main.RowKey, withScoreJson: false);
        (ahead.ScoredAt, ahead.OverallScore) = (main.ScoredAt!.Value.AddHours(1), 99);
        await Put(user, ahead);
        expected.Add(new Discrepancy(calls[4].Id, StorageNames.CallsByUserTable, "newer"));

        // An index row of a call that has no row anywhere else.
        var orphan = main.CloneWithKeys(string.Empty, string.Empty, withScoreJson: false);
        orphan.CallId = "athos_call_orphan000000";
        var orphanKey = CallIndex.KeysOf(orphan).Single(k => k.Table == StorageNames.CallsByUserTable);
        await Put(orphanKey, orphan);
        expected.Add(new Discrepancy(orphan.CallId, StorageNames.CallsByUserTable, "orphan"));

        // A newer version archived whose rows were never committed: the row is behind its blob.
        var rescored = _simulator.Calls.Update(calls[6].Id, c => _simulator.Generator.Rescore(c, c.ScoredAt!.Value.AddMinutes(20)), notify: false);
        await new CallArchive(new BlobServiceClient(storage.ConnectionString)).WriteAsync(
            rescored.Id, BinaryData.FromBytes(await FetchRawDetailAsync(rescored.Id)), CallVersion.Scored(rescored.ScoredAt, rescored.UpdatedAt), probablyExists: true, ct);
        expected.Add(new Discrepancy(calls[6].Id, StorageNames.CallsTable, "older"));

        // The archive blob deleted.
        var archive = new BlobContainerClient(storage.ConnectionString, StorageNames.RawCallsContainer);
        await archive.DeleteBlobAsync(CallArchive.BlobName(calls[7].Id), cancellationToken: ct);
        expected.Add(new Discrepancy(calls[7].Id, StorageNames.RawCallsContainer, "missing"));

        // The archive blob behind the row.
        await archive.GetBlobClient(CallArchive.BlobName(calls[8].Id)).SetMetadataAsync(
            new Dictionary<string, string> { ["athosscoredat"] = "2020-01-01T00:00:00.0000000Z", ["athosupdatedat"] = "2020-01-01T00:00:00.0000000Z" }, cancellationToken: ct);
        expected.Add(new Discrepancy(calls[8].Id, StorageNames.RawCallsContainer, "older"));

        // The main row lost (its blob and index rows kept).
        (main, user, day) = await Keys(calls[9]);
        await _tables.GetTableClient(StorageNames.CallsTable).DeleteEntityAsync(main.CallId, string.Empty, cancellationToken: ct);
        expected.Add(new Discrepancy(calls[9].Id, StorageNames.CallsTable, "missing"));
        expected.Add(new Discrepancy(calls[9].Id, StorageNames.CallsByUserTable, "orphan"));
        expected.Add(new Discrepancy(calls[9].Id, StorageNames.CallsByDayTable, "orphan"));
        return expected;
    }

    private static List<Discrepancy> Discrepancies(JsonElement items) =>
        [.. items.EnumerateArray().Select(d => new Discrepancy(d.GetProperty("callId").GetString()!, d.GetProperty("table").GetString()!, d.GetProperty("kind").GetString()!))];

    private static IEnumerable<Discrepancy> InOrder(IEnumerable<Discrepancy> discrepancies) => discrepancies.OrderBy(d => (d.CallId, d.Table, d.Kind));

    private Task<int> VerifyAsync(VerifyCommand.VerifyArguments arguments, TimeProvider time) =>
        VerifyCommand.RunAsync(Configuration(), _output, _error, arguments, time, TestContext.Current.CancellationToken);

    private async Task<(int Exit, JsonElement Json)> VerifyJsonAsync(VerifyCommand.VerifyArguments arguments, TimeProvider time)
    {
        _output.GetStringBuilder().Clear();
        var exit = await VerifyAsync(arguments, time);
        Assert.Empty(_error.ToString());
        return (exit, JsonDocument.Parse(_output.ToString()).RootElement.Clone());
    }

    /// <summary>Stores <paramref name="calls"/> through the pipeline, its clock <paramref name="clock"/> (the system's by default).</summary>
    private async Task<IReadOnlyList<SimulatedCall>> StoreAsync(IReadOnlyList<SimulatedCall> calls, TimeProvider? clock = null)
    {
        await using var app = await TestApp.StartAsync(StackSettings.For(_simulator, storage.Azurite), clock is null ? null : services => services.AddSingleton(clock));
        foreach (var call in calls)
        {
            var item = new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) };
            await app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(item), call.Id, 1, TestContext.Current.CancellationToken);
        }

        return calls;
    }

    private async Task<byte[]> FetchRawDetailAsync(string callId)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{_simulator.BaseUrl}/calls/{callId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _simulator.ApiKey);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
    }

    private IConfiguration Configuration(params (string Name, string? Value)[] overrides)
    {
        var settings = StackSettings.For(_simulator, storage.Azurite);
        foreach (var (name, value) in overrides)
        {
            settings[name] = value;
        }

        // Only these settings: the test machine's environment must not leak in.
        return new ConfigurationBuilder().AddInMemoryCollection(settings.Where(s => s.Value is not null)).Build();
    }

    /// <summary>What verify reports about one call in one place, named so that a failed comparison says which part differs.</summary>
    private sealed record Discrepancy(string CallId, string Table, string Kind);
}
