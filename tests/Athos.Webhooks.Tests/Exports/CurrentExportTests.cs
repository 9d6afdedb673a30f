using System.Globalization;
using System.Text.Json;
using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Exports;
using Athos.Webhooks.Functions;
using Athos.Webhooks.Hosting;
using Athos.Webhooks.Operations;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Roster;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Athos.Webhooks.Tests.Exports;

/// <summary>
/// The rebuild of <c>calls/current</c> and <c>scores</c>, read back by DuckDB through the pointers: calls stored through
/// the real path (the simulator on the current contract over HTTP, a reconcile, the queue processed; a failure reported
/// by webhook), real Azurite, the real writer.
/// </summary>
public sealed class CurrentExportTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string CallsPointer = "SET VARIABLE calls = (SELECT getvariable('root') || path || '*/*.parquet' FROM read_json(getvariable('root') || 'calls/current/_live.json'))";
    private const string ScoresPointer = "SET VARIABLE scores = (SELECT getvariable('root') || path || '*/*.parquet' FROM read_json(getvariable('root') || 'scores/_live.json'))";
    private const string FailedCall = "athos_call_exportFailure0001";

    private readonly StorageGate _gate = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    // The rebuild's spill files go here, so that a test sees its own and no other class's.
    private readonly string _spillFolder = Directory.CreateTempSubdirectory("athos-export-spill-").FullName;
    private AthosSimulator _simulator = null!;
    private TestQueues _queues = null!;
    private TestApp _app = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 2626, FailureRate = 0, Contract = Athos.Simulator.AthosContract.Current });
        _queues = new TestQueues(storage.ConnectionString);
        _app = await TestApp.StartAsync(
            _simulator,
            storage.Azurite,
            [("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050"), ("ATHOS_RECONCILE_LOOKBACK", "5.00:00:00"), ("ATHOS_RECONCILE_OVERLAP", "5.00:00:00")],
            services =>
            {
                services.AddAzureClients(azure => azure.ConfigureDefaults(options => options.AddPolicy(_gate, HttpPipelinePosition.PerCall)));
                services.AddSingleton<TimeProvider>(_time);
                services.Configure<ExportOptions>(options => options.SpillFolder = _spillFolder);
            });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _simulator.DisposeAsync();
        Directory.Delete(_spillFolder, recursive: true);
    }

    [Fact]
    public async Task The_current_dataset_read_by_DuckDB_through_the_pointer_equals_AthosCalls_value_for_value()
    {
        await StoreCallsAsync(24);
        var summary = await _app.Get<CurrentExport>().RebuildAsync(TestContext.Current.CancellationToken);
        var stored = await StoredCallsAsync();
        Assert.Contains(stored.Values, r => r.Status == CallStatus.Failed);
        Assert.Contains(stored.Values, r => r.ComplianceTotalScore is not null);
        Assert.Contains(stored.Values, r => r.Source == "real_call");

        using var folder = new ExportFolder(storage.ConnectionString);
        await folder.CopyAsync();
        var pointer = await folder.PointerAsync(CurrentExport.CallsDataset);
        Assert.Equal((summary.Version, $"calls/current/v={summary.Version}/", (long)stored.Count, summary.CallFiles), (pointer.Version, pointer.Path, pointer.Rows, pointer.Files));
        using var duck = folder.Open();
        ExportFolder.Execute(duck, CallsPointer);
        var rows = ExportFolder.Query(duck, "SELECT * FROM read_parquet(getvariable('calls'), hive_partitioning = true)");

        // Every consumer column of AthosCalls, under its own name, and the folders' version and date (hive partitioning).
        var columns = typeof(AthosCall).GetProperties().Select(p => p.Name).ToList();
        Assert.Equal([.. columns.Append("date").Append("v").Order(StringComparer.Ordinal)], rows[0].Keys.Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal(summary.Version, r["v"]));
        AssertEqualToTable(rows, stored);

        // One file per date partition; timestamps are INT64 UTC TIMESTAMPs (no INT96), scores doubles.
        var dates = stored.Values.Select(r => (r.EndedAt ?? r.FailedAt)!.Value.UtcDateTime.Date).Distinct().Count();
        Assert.Equal(dates, summary.CallFiles);
        var schema = ExportFolder.Query(duck, "SELECT name, type, logical_type::VARCHAR AS logical FROM parquet_schema(getvariable('calls'))")
            .GroupBy(r => (string)r["name"]!).ToDictionary(g => g.Key, g => g.First());
        Assert.DoesNotContain(schema.Values, c => (string?)c["type"] == "INT96");
        foreach (var time in new[] { "StartedAt", "EndedAt", "ScoredAt", "FailedAt", "AthosUpdatedAt", "EnrichedAt" })
        {
            Assert.Equal("INT64", schema[time]["type"]);
            Assert.Contains("isAdjustedToUTC=1", (string)schema[time]["logical"]!, StringComparison.Ordinal);
        }

        Assert.Equal(["DOUBLE", "DOUBLE", "INT32", "INT32"], new[] { "OverallScore", "ComplianceTotalScore", "DurationSec", "SchemaVersion" }.Select(c => (string)schema[c]["type"]!));
        var types = ExportFolder.Query(duck, "DESCRIBE SELECT * FROM read_parquet(getvariable('calls'))").ToDictionary(r => (string)r["column_name"]!, r => (string)r["column_type"]!);
        Assert.Equal("TIMESTAMP WITH TIME ZONE", types["EndedAt"]);
    }

    /// <summary>
    /// Rows enough for a date's files to take several row groups (one date holds 10,500 calls; 1,500 more spread over 30
    /// dates), written straight to <c>AthosCalls</c> as copies of calls stored through the real path. The rows wait in a
    /// spill file between the scan and the files: it is there while the rebuild writes, and gone after a rebuild that
    /// dies there and after one that succeeds.
    /// </summary>
    [Fact]
    public async Task A_rebuild_over_thousands_of_calls_equals_AthosCalls_and_leaves_no_spill_file_after_failing_or_succeeding()
    {
        var ct = TestContext.Current.CancellationToken;
        await StoreCallsAsync(4);
        var busiest = await CopyCallsAsync(10_500, 1_500, 30);
        // A file of a date folder ("date=…", its "=" escaped in the address).
        static bool FirstFile(StorageRequest r) => r.Method == "PUT" && r.Target.StartsWith("date", StringComparison.Ordinal);

        // Killed at its first file: the spill is there while it writes, and gone once it failed.
        var atFile = _gate.PauseBefore("dying", FirstFile);
        var dying = StorageGate.RunAs("dying", () => _app.Get<CurrentExport>().RebuildAsync(ct));
        await ReachedAfterScanAsync(atFile, dying);
        var spill = Assert.Single(OpenSpills());
        Assert.Empty(Directory.GetFiles(_spillFolder));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, OperatingSystem.IsWindows() ? UnixFileMode.None : File.GetUnixFileMode(spill));
        atFile.Kill();
        await Assert.ThrowsAsync<WriterKilledException>(() => dying);
        Assert.Empty(OpenSpills());

        _time.Advance(TimeSpan.FromMinutes(1));
        atFile = _gate.PauseBefore("rebuild", FirstFile);
        var rebuild = StorageGate.RunAs("rebuild", () => _app.Get<CurrentExport>().RebuildAsync(ct));
        await ReachedAfterScanAsync(atFile, rebuild);
        Assert.Single(OpenSpills());
        atFile.Release();
        var summary = await rebuild;
        Assert.Empty(OpenSpills());
        Assert.Empty(Directory.GetFiles(_spillFolder));

        var stored = await StoredCallsAsync();
        Assert.Equal(stored.Count, summary.Calls);
        Assert.Equal(31, stored.Values.Select(r => r.EndedAt!.Value.UtcDateTime.Date).Distinct().Count());
        using var folder = new ExportFolder(storage.ConnectionString);
        await folder.CopyAsync();
        using var duck = folder.Open();
        ExportFolder.Execute(duck, CallsPointer);
        ExportFolder.Execute(duck, ScoresPointer);
        AssertEqualToTable(ExportFolder.Query(duck, "SELECT * FROM read_parquet(getvariable('calls'), hive_partitioning = true)"), stored);
        var scores = ExportFolder.Query(duck, "SELECT CallId, count(*) AS n FROM read_parquet(getvariable('scores')) GROUP BY CallId")
            .ToDictionary(r => (string)r["CallId"]!, r => Convert.ToInt32(r["n"], CultureInfo.InvariantCulture));
        Assert.Equal(summary.Scores, scores.Values.Sum());
        Assert.All(stored.Values, r => Assert.Equal(ScoreNumbers.Of(r.ScoreJson).Count, scores.GetValueOrDefault(r.CallId)));

        // The busiest date's files are one each, in row groups of 10,000 rows.
        var day = $"date={busiest:yyyy-MM-dd}";
        var scoresThatDay = stored.Values.Where(r => DateOnly.FromDateTime(r.EndedAt!.Value.UtcDateTime) == busiest).Sum(r => ScoreNumbers.Of(r.ScoreJson).Count);
        Assert.Equal((1L, 2L, 10_000L), RowGroups(duck, "calls", day));
        Assert.Equal((1L, (scoresThatDay + 9_999L) / 10_000, 10_000L), RowGroups(duck, "scores", day));
    }

    // A pause after the scan of 12,000 rows, which on a loaded machine may take longer than one pause's patience.
    /// <summary>
    /// This process's open spill files of this class's folder (Linux: the descriptors in <c>/proc/self/fd</c>), which the
    /// spill unlinks from the folder as soon as it opens them: while one is open, no one can open it by name.
    /// </summary>
    private List<string> OpenSpills() =>
        [.. Directory.GetFiles("/proc/self/fd").Where(fd => LinkTarget(fd)?.StartsWith(_spillFolder, StringComparison.Ordinal) == true)];

    // A descriptor other threads close meanwhile has no target left.
    private static string? LinkTarget(string fd)
    {
        try
        {
            return new FileInfo(fd).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static async Task ReachedAfterScanAsync(StorageGate.Pause pause, Task rebuild)
    {
        for (var attempt = 1; ; attempt++)
        {
            var reached = pause.Reached;
            if (await Task.WhenAny(reached, rebuild) == rebuild)
            {
                await rebuild;
                Assert.Fail("The rebuild ended without writing a file.");
            }

            try
            {
                await reached;
                return;
            }
            catch (TimeoutException) when (attempt < 30)
            {
                // Still scanning.
            }
        }
    }

    // The files of a dataset's date folder, their row groups and the most rows in one.
    private static (long Files, long Groups, long Most) RowGroups(DuckDB.NET.Data.DuckDBConnection duck, string dataset, string day)
    {
        var metadata = ExportFolder.Query(duck, $"SELECT count(DISTINCT file_name) AS files, count(DISTINCT row_group_id) AS groups, max(row_group_num_rows) AS most FROM parquet_metadata(getvariable('{dataset}')) WHERE file_name LIKE '%/{day}/%'").Single();
        return (Convert.ToInt64(metadata["files"], CultureInfo.InvariantCulture), Convert.ToInt64(metadata["groups"], CultureInfo.InvariantCulture), Convert.ToInt64(metadata["most"], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Writes copies of the stored scored calls straight to <c>AthosCalls</c> (the calls stored before are removed):
    /// <paramref name="onBusiest"/> ending on one date, <paramref name="spread"/> over <paramref name="days"/> dates
    /// before it. Returns the busiest date.
    /// </summary>
    private async Task<DateOnly> CopyCallsAsync(int onBusiest, int spread, int days)
    {
        var table = new TableClient(storage.ConnectionString, StorageNames.CallsTable);
        var samples = await table.QueryAsync<TableEntity>(r => r.GetString("Status") == CallStatus.Scored, cancellationToken: TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
        await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: TestContext.Current.CancellationToken))
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, cancellationToken: TestContext.Current.CancellationToken);
        }

        var busiest = new DateTimeOffset(_time.GetUtcNow().UtcDateTime.Date.AddDays(-2), TimeSpan.Zero);
        var copies = Enumerable.Range(0, onBusiest + spread).Select(i =>
        {
            var id = $"athos_call_spill{i:D6}";
            var endedAt = i < onBusiest ? busiest.AddSeconds(i) : busiest.AddDays(-1 - (i % days)).AddHours(12);
            return new TableEntity(samples[i % samples.Count]) { PartitionKey = id, RowKey = string.Empty, ["CallId"] = id, ["EndedAt"] = endedAt };
        });
        await Parallel.ForEachAsync(copies, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = TestContext.Current.CancellationToken }, async (row, ct) => await table.AddEntityAsync(row, ct));
        return DateOnly.FromDateTime(busiest.UtcDateTime);
    }

    [Fact]
    public async Task The_agents_dimension_names_the_rep_of_every_call_from_the_roster_mirror_without_emails_or_npns()
    {
        await StoreCallsAsync(12);
        await _app.Get<RosterSync>().RunAsync(TestContext.Current.CancellationToken);
        var summary = await _app.Get<CurrentExport>().RebuildAsync(TestContext.Current.CancellationToken);
        var mirror = await _app.Get<RosterReader>().ReadAllAsync(TestContext.Current.CancellationToken).ToDictionaryAsync(a => a.AgentId, cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotEmpty(mirror);
        Assert.Equal(mirror.Count, summary.Agents);

        using var folder = new ExportFolder(storage.ConnectionString);
        await folder.CopyAsync();
        var pointer = await folder.PointerAsync(CurrentExport.AgentsDataset);
        Assert.Equal((summary.Version, $"agents/v={summary.Version}/", (long)mirror.Count), (pointer.Version, pointer.Path, pointer.Rows));
        using var duck = folder.Open();
        ExportFolder.Execute(duck, CallsPointer);
        ExportFolder.Execute(duck, "SET VARIABLE agents = (SELECT getvariable('root') || path || '*.parquet' FROM read_json(getvariable('root') || 'agents/_live.json'))");

        // The join a report makes: every call of the current contract finds its rep, with the mirror's name.
        var joined = ExportFolder.Query(duck, "SELECT c.CallId, c.AgentId, a.FirstName, a.LastName, a.AgencyId FROM read_parquet(getvariable('calls')) c LEFT JOIN read_parquet(getvariable('agents')) a ON a.AgentId = c.AgentId WHERE c.AgentId IS NOT NULL");
        Assert.NotEmpty(joined);
        Assert.All(joined, row =>
        {
            var agent = mirror[(string)row["AgentId"]!];
            Assert.Equal((agent.FirstName, agent.LastName, agent.AgencyId), ((string?)row["FirstName"], (string?)row["LastName"], (string?)row["AgencyId"]));
        });

        // Personal data beyond the name stays in AthosAgents (its own readers' role).
        var columns = ExportFolder.Query(duck, "DESCRIBE SELECT * FROM read_parquet(getvariable('agents'), hive_partitioning = false)").Select(r => (string)r["column_name"]!).ToList();
        Assert.Equal(["AgencyId", "AgencyName", "AgentId", "AthosCreatedAt", "FirstName", "LastName", "PlatformAgentId", "RemovedAt"], columns.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_rep_forgotten_leaves_the_agents_dataset_at_the_next_export_run_and_from_a_local_copy_made_again()
    {
        var ct = TestContext.Current.CancellationToken;
        await StoreCallsAsync(8);
        await _app.Get<RosterSync>().RunAsync(ct);
        var export = _app.Get<IExportHandler>();
        var copy = Directory.CreateTempSubdirectory("athos-export-forget-").FullName;
        var first = await export.ExportAsync(now: false, compact: false, ct);
        Assert.True(first.TryGetProperty("current", out var built) && built.ValueKind == JsonValueKind.Object, first.ToString());
        await export.CopyToAsync(copy, ct);
        var forgotten = (await _app.Get<RosterReader>().ReadAllAsync(ct).FirstAsync(ct)).AgentId;
        Assert.Contains(forgotten, AgentIdsIn(copy));

        // Not due by the schedule (built a moment ago): the erasure alone owes the rebuild, and the run pays it.
        _time.Advance(TimeSpan.FromMinutes(1));
        await _app.Get<IForgetHandler>().ForgetAgentAsync(forgotten, calls: false, ct);
        var second = await export.ExportAsync(now: false, compact: false, ct);
        Assert.True(second.TryGetProperty("current", out var rebuilt) && rebuilt.ValueKind == JsonValueKind.Object, second.ToString());
        await export.CopyToAsync(copy, ct);
        Assert.DoesNotContain(forgotten, AgentIdsIn(copy));
        Assert.Single(Directory.GetDirectories(Path.Combine(copy, "agents")));
        Assert.Single(Directory.GetDirectories(Path.Combine(copy, "calls", "current")));

        // Paid: the next run owes nothing and rebuilds nothing.
        var third = await export.ExportAsync(now: false, compact: false, ct);
        Assert.False(third.TryGetProperty("current", out var none) && none.ValueKind == JsonValueKind.Object, third.ToString());
    }

    private static List<string> AgentIdsIn(string copy)
    {
        using var duck = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:");
        duck.Open();
        ExportFolder.Execute(duck, $"SET VARIABLE root = '{copy.Replace('\\', '/')}/'");
        ExportFolder.Execute(duck, "SET VARIABLE agents = (SELECT getvariable('root') || path || '*.parquet' FROM read_json(getvariable('root') || 'agents/_live.json'))");
        return [.. ExportFolder.Query(duck, "SELECT AgentId FROM read_parquet(getvariable('agents'), hive_partitioning = false)").Select(r => (string)r["AgentId"]!)];
    }

    [Fact]
    public async Task The_scores_dataset_holds_every_number_of_each_ScoreJson_by_path_in_the_same_version()
    {
        await StoreCallsAsync(16);
        var summary = await _app.Get<CurrentExport>().RebuildAsync(TestContext.Current.CancellationToken);
        var stored = await StoredCallsAsync();

        // Written out for the shapes Athos sends (docs/consumers.md, "scores"), independently of the writer's walk.
        var expected = new List<(string CallId, string Path, double Value)>();
        foreach (var row in stored.Values.Where(r => r.ScoreJson is not null))
        {
            using var score = JsonDocument.Parse(row.ScoreJson!);
            var root = score.RootElement;
            expected.Add((row.CallId, "overallScore", root.GetProperty("overallScore").GetDouble()));
            foreach (var skill in root.GetProperty("skills").EnumerateObject())
            {
                expected.Add((row.CallId, $"skills.{skill.Name}.score", skill.Value.GetProperty("score").GetDouble()));
                expected.Add((row.CallId, $"skills.{skill.Name}.weight", skill.Value.GetProperty("weight").GetDouble()));
            }

            if (root.TryGetProperty("complianceScorecard", out var scorecard))
            {
                expected.Add((row.CallId, "complianceScorecard.totalScore", scorecard.GetProperty("totalScore").GetDouble()));
                foreach (var section in scorecard.GetProperty("sections").EnumerateArray())
                {
                    var key = section.GetProperty("key").GetString();
                    expected.Add((row.CallId, $"complianceScorecard.sections.{key}.score", section.GetProperty("score").GetDouble()));
                    expected.Add((row.CallId, $"complianceScorecard.sections.{key}.maxScore", section.GetProperty("maxScore").GetDouble()));
                }
            }
        }

        Assert.Contains(expected, e => e.Path.StartsWith("complianceScorecard.sections.", StringComparison.Ordinal));
        using var folder = new ExportFolder(storage.ConnectionString);
        await folder.CopyAsync();
        var pointer = await folder.PointerAsync(CurrentExport.ScoresDataset);
        Assert.Equal((summary.Version, $"scores/v={summary.Version}/", (long)expected.Count), (pointer.Version, pointer.Path, pointer.Rows));
        using var duck = folder.Open();
        ExportFolder.Execute(duck, ScoresPointer);
        var rows = ExportFolder.Query(duck, "SELECT CallId, Path, Value, EndedAt, date FROM read_parquet(getvariable('scores'), hive_partitioning = true)");

        Assert.Equal(
            expected.Select(e => $"{e.CallId} {e.Path} {e.Value.ToString("R", CultureInfo.InvariantCulture)}").Order(StringComparer.Ordinal),
            rows.Select(r => $"{r["CallId"]} {r["Path"]} {((double)r["Value"]!).ToString("R", CultureInfo.InvariantCulture)}").Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.True(Equal(stored[(string)r["CallId"]!].EndedAt, r["EndedAt"])));
        Assert.All(rows, r => Assert.Equal(DateOnly.FromDateTime(stored[(string)r["CallId"]!].EndedAt!.Value.UtcDateTime), (DateOnly)r["date"]!));
    }

    [Fact]
    public async Task A_reader_during_a_rebuild_sees_the_old_version_whole_until_the_pointers_name_the_new_one()
    {
        var ct = TestContext.Current.CancellationToken;
        await StoreCallsAsync(8);
        var first = await _app.Get<CurrentExport>().RebuildAsync(ct);
        await StoreCallsAsync(6);
        _time.Advance(TimeSpan.FromMinutes(5));

        // The second rebuild is held just before its first pointer: every file of its version is written.
        var atPointer = _gate.PauseBefore("rebuild", r => r is { Method: "PUT", Target: "scores" });
        var rebuild = StorageGate.RunAs("rebuild", () => _app.Get<CurrentExport>().RebuildAsync(ct));
        await atPointer.Reached;
        using var folder = new ExportFolder(storage.ConnectionString);
        var copied = await folder.CopyAsync();
        Assert.Contains(copied, n => n.StartsWith("calls/current/v=", StringComparison.Ordinal) && !n.Contains(first.Version, StringComparison.Ordinal));
        Assert.Equal((first.Calls, first.Scores), ReadThroughPointers(folder));

        atPointer.Release();
        var second = await rebuild;
        await folder.CopyAsync();
        Assert.True(second.Calls > first.Calls);
        Assert.Equal((second.Calls, second.Scores), ReadThroughPointers(folder));
        Assert.Equal((await StoredCallsAsync()).Count, second.Calls);
    }

    [Fact]
    public async Task Replaced_versions_are_removed_after_the_grace_period_and_a_version_never_published_at_the_next_rebuild()
    {
        var ct = TestContext.Current.CancellationToken;
        await StoreCallsAsync(6);
        using var folder = new ExportFolder(storage.ConnectionString);
        var v1 = await _app.Get<CurrentExport>().RebuildAsync(ct);

        // A rebuild that stops before its pointers (its process dies there) leaves a version nobody reads.
        _time.Advance(TimeSpan.FromMinutes(1));
        var atPointer = _gate.PauseBefore("dying", r => r is { Method: "PUT", Target: "scores" });
        var dying = StorageGate.RunAs("dying", () => _app.Get<CurrentExport>().RebuildAsync(ct));
        await atPointer.Reached;
        atPointer.Kill();
        await Assert.ThrowsAsync<WriterKilledException>(() => dying);
        Assert.Equal(2, Of(await VersionsAsync(folder), CurrentExport.CallsDataset).Count);

        _time.Advance(TimeSpan.FromMinutes(1));
        var v3 = await _app.Get<CurrentExport>().RebuildAsync(ct);
        Assert.Equal(2, v3.RemovedVersions);
        Assert.Equal([v1.Version, v3.Version], Of(await VersionsAsync(folder), CurrentExport.CallsDataset));
        Assert.Equal([v1.Version, v3.Version], Of(await VersionsAsync(folder), CurrentExport.ScoresDataset));

        // Within the grace period (a day by default) after v3 replaced it, v1 stays for readers that read its pointer.
        _time.Advance(TimeSpan.FromHours(23));
        var v4 = await _app.Get<CurrentExport>().RebuildAsync(ct);
        Assert.Equal(0, v4.RemovedVersions);
        Assert.Equal([v1.Version, v3.Version, v4.Version], Of(await VersionsAsync(folder), CurrentExport.CallsDataset));

        // A day after, v1 goes, and so does v3 (replaced by v4 as long ago); v4, replaced just now, and the live v5 stay.
        _time.Advance(TimeSpan.FromDays(1));
        var v5 = await _app.Get<CurrentExport>().RebuildAsync(ct);
        // Of calls/current and scores, v1 and v3; of agents, whose pointer comes before theirs, the dying rebuild's too.
        Assert.Equal(7, v5.RemovedVersions);
        Assert.Equal([v4.Version, v5.Version], Of(await VersionsAsync(folder), CurrentExport.AgentsDataset));
        Assert.Equal([v4.Version, v5.Version], Of(await VersionsAsync(folder), CurrentExport.CallsDataset));
        Assert.Equal([v4.Version, v5.Version], Of(await VersionsAsync(folder), CurrentExport.ScoresDataset));
        await folder.CopyAsync();
        Assert.Equal((v5.Calls, v5.Scores), ReadThroughPointers(folder));
    }

    [Fact]
    public async Task An_erased_call_is_gone_from_calls_and_scores_after_the_next_rebuild()
    {
        var ct = TestContext.Current.CancellationToken;
        await StoreCallsAsync(6);
        var before = await _app.Get<CurrentExport>().RebuildAsync(ct);
        var gone = (await StoredCallsAsync()).Values.First(r => r.Status == CallStatus.Scored).CallId;

        await _app.Get<IForgetHandler>().ForgetAsync(CallId.Parse(gone), ct);
        _time.Advance(TimeSpan.FromMinutes(1));
        var after = await _app.Get<CurrentExport>().RebuildAsync(ct);

        using var folder = new ExportFolder(storage.ConnectionString);
        await folder.CopyAsync();
        using var duck = folder.Open();
        ExportFolder.Execute(duck, CallsPointer);
        ExportFolder.Execute(duck, ScoresPointer);
        var calls = ExportFolder.Query(duck, "SELECT CallId FROM read_parquet(getvariable('calls'))").Select(r => (string)r["CallId"]!).ToList();
        var scored = ExportFolder.Query(duck, "SELECT DISTINCT CallId FROM read_parquet(getvariable('scores'))").Select(r => (string)r["CallId"]!).ToList();
        Assert.DoesNotContain(gone, calls);
        Assert.DoesNotContain(gone, scored);
        Assert.Equal(before.Calls - 1, after.Calls);
        Assert.Equal((await StoredCallsAsync()).Keys.Order(StringComparer.Ordinal), calls.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// docs/consumers.md's DuckDB queries, taken from between its <c>duckdb:begin</c> and <c>duckdb:end</c> markers so the
    /// guide cannot drift: each runs, in order, in one session whose <c>root</c> names a copy of the container.
    /// </summary>
    [Fact]
    public async Task Every_DuckDB_query_in_the_consumer_guide_runs_on_the_export()
    {
        await StoreCallsAsync(20);
        await _app.Get<CurrentExport>().RebuildAsync(TestContext.Current.CancellationToken);
        var stored = await StoredCallsAsync();
        using var folder = new ExportFolder(storage.ConnectionString);
        await folder.CopyAsync();

        var guide = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "docs", "consumers.md"), TestContext.Current.CancellationToken);
        var blocks = guide.Split("<!-- duckdb:begin -->").Skip(1).Select(b => b[..b.IndexOf("<!-- duckdb:end -->", StringComparison.Ordinal)]).ToList();
        Assert.Equal(5, blocks.Count);
        using var duck = folder.Open();
        var results = new List<List<Dictionary<string, object?>>>();
        foreach (var block in blocks)
        {
            var sql = block.Trim().TrimStart('`').Trim()["sql".Length..].TrimEnd('`').Trim();
            foreach (var statement in sql.Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.TrimEnd(';')).Where(s => s.Length > 0))
            {
                if (statement.StartsWith("SET ", StringComparison.Ordinal))
                {
                    ExportFolder.Execute(duck, statement);
                }
                else
                {
                    results.Add(ExportFolder.Query(duck, statement));
                }
            }
        }

        Assert.Equal(4, results.Count);
        Assert.All(results, Assert.NotEmpty);
        // The rep query and the weekly query count every scored call once (the rep join keeps calls whose rep has no
        // mirrored name: no roster sync ran here, and the agents file is there, empty); the compliance query names each
        // section of the scorecards.
        var scored = stored.Values.Count(r => r.Status == CallStatus.Scored);
        Assert.Equal(scored, results[0].Sum(r => Convert.ToInt64(r["calls"], CultureInfo.InvariantCulture)));
        Assert.Equal(scored, results[1].Sum(r => Convert.ToInt64(r["calls"], CultureInfo.InvariantCulture)));
        Assert.Contains(results[2], r => (string?)r["section"] == "tpmo_disclaimer");
        Assert.Equal(stored.Values.Count(r => r.ScoreJson is not null), results[3].Count);
        Assert.Contains("discovery", results[3][0].Keys);
    }

    [Fact]
    public async Task A_rebuild_is_due_once_an_occurrence_of_the_schedule_passed_since_the_live_version_was_built()
    {
        var export = _app.Get<CurrentExport>();
        var builtAt = new DateTimeOffset(2026, 12, 7, 2, 0, 13, TimeSpan.Zero);

        Assert.True(export.IsRebuildDue(builtAt, builtAt: null));
        Assert.False(export.IsRebuildDue(builtAt.AddHours(23), builtAt));
        Assert.False(export.IsRebuildDue(new DateTimeOffset(2026, 12, 8, 1, 59, 59, TimeSpan.Zero), builtAt));
        Assert.True(export.IsRebuildDue(new DateTimeOffset(2026, 12, 8, 2, 0, 0, TimeSpan.Zero), builtAt));
        // Built late (a rebuild on demand at 01:00): the 02:00 occurrence that follows is still due.
        Assert.True(export.IsRebuildDue(new DateTimeOffset(2026, 12, 8, 2, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 8, 1, 0, 0, TimeSpan.Zero)));
    }

    // Every row read back is the table's row value for value, in the folder of its call's date, and every call is there once.
    private static void AssertEqualToTable(List<Dictionary<string, object?>> rows, Dictionary<string, CallRow> stored)
    {
        Assert.Equal(stored.Keys.Order(StringComparer.Ordinal), rows.Select(r => (string)r["CallId"]!).Order(StringComparer.Ordinal));
        var columns = typeof(AthosCall).GetProperties().Select(p => typeof(CallRow).GetProperty(p.Name)!).ToList();
        foreach (var row in rows)
        {
            var expected = stored[(string)row["CallId"]!];
            foreach (var column in columns)
            {
                Assert.True(Equal(column.GetValue(expected), row[column.Name]), $"{expected.CallId}.{column.Name}: table {column.GetValue(expected)}, export {row[column.Name]}");
            }

            var day = (expected.EndedAt ?? expected.FailedAt)!.Value.UtcDateTime.Date;
            Assert.Equal(DateOnly.FromDateTime(day), row["date"] is DateOnly date ? date : DateOnly.FromDateTime((DateTime)row["date"]!));
        }
    }

    // The rows and score rows a reader finds through the two pointers.
    private static (long Calls, long Scores) ReadThroughPointers(ExportFolder folder)
    {
        using var duck = folder.Open();
        ExportFolder.Execute(duck, CallsPointer);
        ExportFolder.Execute(duck, ScoresPointer);
        var calls = ExportFolder.Query(duck, "SELECT count(*) AS n, count(DISTINCT filename[:strpos(filename, '/date=')]) AS versions FROM read_parquet(getvariable('calls'), filename = true)").Single();
        var scores = ExportFolder.Query(duck, "SELECT count(*) AS n FROM read_parquet(getvariable('scores'))").Single();
        Assert.Equal(1L, Convert.ToInt64(calls["versions"], CultureInfo.InvariantCulture));
        return (Convert.ToInt64(calls["n"], CultureInfo.InvariantCulture), Convert.ToInt64(scores["n"], CultureInfo.InvariantCulture));
    }

    private static List<string> Of(List<(string Dataset, string Version)> versions, string dataset) =>
        [.. versions.Where(v => v.Dataset == dataset).Select(v => v.Version).Order(StringComparer.Ordinal)];

    private static async Task<List<(string Dataset, string Version)>> VersionsAsync(ExportFolder folder)
    {
        var versions = new HashSet<(string, string)>();
        foreach (var dataset in new[] { CurrentExport.CallsDataset, CurrentExport.ScoresDataset, CurrentExport.AgentsDataset })
        {
            foreach (var name in await folder.NamesAsync(dataset + "/v="))
            {
                versions.Add((dataset, name[(dataset.Length + 3)..name.IndexOf('/', dataset.Length + 3)]));
            }
        }

        return [.. versions];
    }

    /// <summary>
    /// Adds calls at Athos across the last four days, each scored with per-skill dimensions (the shape Athos announced),
    /// stores them the way a deployment does (reconcile, then the queue), and a scoring failure Athos reported by webhook.
    /// </summary>
    private async Task StoreCallsAsync(int count)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var call in _simulator.AddCalls(count, now.AddDays(-4), now.AddHours(-1)))
        {
            var (discovery, closing) = (call.Id.Length % 7 * 11.5, (call.Id[^1] % 50) + 0.125);
            var skills = JsonDocument.Parse(string.Create(CultureInfo.InvariantCulture, $$"""{"discovery":{"score":{{discovery}},"weight":0.25},"closing":{"score":{{closing}},"weight":0.75} }""")).RootElement.Clone();
            _simulator.Calls.Update(call.Id, c => c with { ExtraScoreFields = new Dictionary<string, JsonElement> { ["skills"] = skills } }, notify: false);
        }

        var run = await _app.Get<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
        Assert.Equal(ReconcileOutcome.Succeeded, run.Status);
        await PostFailureAsync();
        Assert.DoesNotContain(await QueueDrainer.DrainAsync(_app, _queues), o => o is not (WorkOutcome.Stored or WorkOutcome.Unchanged or WorkOutcome.FailureRecorded or WorkOutcome.Duplicate));
    }

    private async Task PostFailureAsync()
    {
        var body = WebhookRequests.CallScored(FailedCall, success: false, webhookRequestId: "req_export_failure");
        var request = WebhookRequests.Build(body, WebhookSigner.Header(_simulator.WebhookSecret, _time.GetUtcNow().ToUnixTimeSeconds(), body), "wh_export_failure");
        var answer = await WebhookRequests.ExecuteAsync(await new AthosWebhookFunction(_app.Get<IAthosHttpHandlers>()).RunAsync(request, TestContext.Current.CancellationToken), request);
        Assert.Contains(answer.Status, new[] { 200, 202 });
    }

    private async Task<Dictionary<string, CallRow>> StoredCallsAsync()
    {
        var rows = new Dictionary<string, CallRow>(StringComparer.Ordinal);
        await foreach (var row in new TableClient(storage.ConnectionString, StorageNames.CallsTable).QueryAsync<CallRow>(r => r.Status != CallStatus.Erased))
        {
            rows[row.CallId] = row;
        }

        return rows;
    }

    // A table value and DuckDB's: times to the microsecond (Parquet's unit; Table Storage keeps 100 ns), in UTC.
    private static bool Equal(object? table, object? export) => (table, export) switch
    {
        (null, null) => true,
        (DateTimeOffset t, DateTimeOffset e) => t.UtcTicks - (t.UtcTicks % 10) == e.UtcTicks,
        (DateTimeOffset t, DateTime e) => t.UtcTicks - (t.UtcTicks % 10) == DateTime.SpecifyKind(e, DateTimeKind.Utc).Ticks,
        _ => Equals(table, export),
    };
}
