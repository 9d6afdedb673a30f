using System.Text;
using System.Text.RegularExpressions;
using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>
/// The real <c>athos-webhooks</c> process through every reporting command in every format it offers, their usage
/// errors and their failure exits, against one Azurite and one simulator: stdout, stderr and the exit code of each
/// invocation equal its golden file in Cli/Goldens (times, ids, ports and durations masked). The goldens were recorded
/// on the code before the operator commands moved out of the core, so that the move is shown not to change any output.
/// Set ATHOS_UPDATE_GOLDENS=1 to record them again (then read the diff).
/// </summary>
public sealed partial class CliGoldenOutputTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private static readonly string Goldens = Path.Combine(RepositoryRoot.Path, "tests", "Athos.Webhooks.Tests", "Cli", "Goldens");
    private static readonly DateTimeOffset OldFrom = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly List<string> _mismatches = [];
    private AthosSimulator _simulator = null!;
    private TableServiceClient _tables = null!;
    private int _count;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 25, FailureRate = 0 });
        _tables = new TableServiceClient(storage.ConnectionString);
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Every_reporting_command_prints_what_its_golden_file_holds()
    {
        var now = DateTimeOffset.UtcNow;
        var old = _simulator.AddCalls(3, OldFrom, OldFrom.AddHours(10));
        _simulator.AddCalls(2, now.AddHours(-3), now.AddMinutes(-30));
        await StoreAsync(_simulator.Calls.All());
        var rep = old[0].ExternalUserId ?? old[0].AgentId;
        var agency = old[0].ExternalAgencyId ?? old[0].AgencyId;
        var (first, second, third) = (old[0].Id, old[1].Id, old[2].Id);
        var poison = new QueueClient(storage.ConnectionString, StorageNames.PoisonQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await poison.SendMessageAsync(WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(third) }), cancellationToken: TestContext.Current.CancellationToken);

        var stack = StackSettings.For(_simulator, storage.Azurite);
        var storageOnly = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storage.ConnectionString };
        var unreachable = new Dictionary<string, string?>(stack) { ["AzureWebJobsStorage"] = PortRegex().Replace(storage.ConnectionString, "127.0.0.1:9") };
        var athosDown = new Dictionary<string, string?>(stack) { ["ATHOS_BASE_URL"] = "http://127.0.0.1:9/" };
        var wrongKey = new Dictionary<string, string?>(stack) { ["ATHOS_API_KEY"] = "ath_live_not_the_key" };
        var noKey = new Dictionary<string, string?>(stack) { ["ATHOS_API_KEY"] = null };
        var unreachableNoKey = new Dictionary<string, string?>(unreachable) { ["ATHOS_API_KEY"] = null };
        var badRetention = new Dictionary<string, string?>(stack) { ["ATHOS_CHANGE_RETENTION"] = "a month" };

        // Usage errors and failures change nothing: they run side by side.
        await Task.WhenAll(new (string Name, string[] Args, Dictionary<string, string?> Environment)[]
        {
            ("usage-unknown-command", ["bogus"], stack),
            ("usage-status-since", ["status", "--since", "soon"], stack),
            ("usage-status-since-future", ["status", "--since", "2999-01-01T00:00:00Z"], stack),
            ("usage-status-format", ["status", "--format", "csv"], stack),
            ("usage-verify-no-since", ["verify"], stack),
            ("usage-verify-since", ["verify", "--since", "soon"], stack),
            ("usage-verify-since-future", ["verify", "--since", "2999-01-01T00:00:00Z"], stack),
            ("usage-verify-format", ["verify", "--since", "1h", "--format", "jsonl"], stack),
            ("usage-reproject-since", ["reproject", "--since", "soon"], stack),
            ("usage-reproject-format", ["reproject", "--format", "csv"], stack),
            ("usage-forget-call-id", ["forget", "call_42"], stack),
            ("usage-forget-format", ["forget", first, "--format", "jsonl"], stack),
            ("usage-redrive-format", ["redrive", "--format", "csv"], stack),
            ("usage-export-format", ["export", "--format", "csv"], stack),
            ("usage-export-to-dir-empty", ["export", "--to-dir", " "], stack),
            ("usage-backfill-no-from", ["backfill"], stack),
            ("usage-backfill-from", ["backfill", "--from", "yesterday"], stack),
            ("usage-backfill-to", ["backfill", "--from", "2026-11-01", "--to", "later"], stack),
            ("usage-backfill-source", ["backfill", "--from", "2026-11-01", "--source", "phone"], stack),
            ("usage-backfill-range", ["backfill", "--from", "2026-11-02", "--to", "2026-11-01", "--no-wait"], stack),
            ("usage-backfill-format", ["backfill", "--from", "2026-11-01", "--format", "csv"], stack),
            ("usage-calls-list-none", ["calls", "list"], stack),
            ("usage-calls-list-two", ["calls", "list", "--rep", rep, "--day", "2026-11-01"], stack),
            ("usage-calls-list-top", ["calls", "list", "--rep", rep, "--top", "0"], stack),
            ("usage-calls-list-top-text", ["calls", "list", "--rep", rep, "--top", "many"], stack),
            ("usage-calls-list-day", ["calls", "list", "--day", "1 Nov"], stack),
            ("usage-calls-list-agency-no-from", ["calls", "list", "--agency", agency], stack),
            ("usage-calls-list-agency-range", ["calls", "list", "--agency", agency, "--from", "2026-11-02", "--to", "2026-11-01"], stack),
            ("usage-calls-list-format", ["calls", "list", "--rep", rep, "--format", "yaml"], stack),
            ("usage-calls-list-two-formats", ["calls", "list", "--rep", rep, "--json", "--csv"], stack),
            ("usage-calls-show-call-id", ["calls", "show", "call_42"], stack),
            ("usage-calls-show-format", ["calls", "show", first, "--format", "csv"], stack),
            ("usage-calls-changes-no-since", ["calls", "changes"], stack),
            ("usage-calls-changes-since", ["calls", "changes", "--since", "soon"], stack),
            ("usage-calls-changes-since-future", ["calls", "changes", "--since", "2999-01-01T00:00:00Z"], stack),
            ("usage-doctor-format", ["doctor", "--format", "csv"], stack),
            ("fail-calls-changes-expired", ["calls", "changes", "--since", "2020-01-01T00:00:00Z"], stack),
            ("fail-calls-changes-bad-setting", ["calls", "changes", "--since", "1h"], badRetention),
            ("fail-status-no-key", ["status"], noKey),
            ("fail-status-athos-down", ["status", "--format", "json"], athosDown),
            ("fail-doctor-athos-down", ["doctor"], athosDown),
            ("fail-doctor-wrong-key", ["doctor", "--format", "json"], wrongKey),
            ("fail-redrive-storage", ["redrive"], unreachable),
            ("fail-calls-list-storage", ["calls", "list", "--rep", rep], unreachable),
            ("fail-status-storage", ["status"], unreachable),
            // status reads storage first: without it there is nothing to judge, whatever Athos's settings say.
            ("fail-status-storage-no-key", ["status"], unreachableNoKey),
            ("fail-doctor-storage", ["doctor"], unreachable),
            ("fail-verify-no-key", ["verify", "--since", "1h", "--repair"], noKey),
            ("calls-list-without-api-key", ["calls", "list", "--rep", rep], storageOnly),
        }.Chunk(4).Select(async chunk =>
        {
            foreach (var (name, args, environment) in chunk)
            {
                await RunAsync(name, args, environment);
            }
        }));

        // What reads and repairs, in an order that leaves each step's state for the next.
        await RunAsync("status-table", ["status"], stack);
        await RunAsync("status-json", ["status", "--since", "2h", "--format", "json"], stack);
        await RunAsync("doctor-table", ["doctor"], stack);
        await RunAsync("doctor-json", ["doctor", "--format", "json"], stack);
        await DropDayIndexRowAsync(second);
        await RunAsync("verify-table", ["verify", "--since", "1h"], stack);
        await RunAsync("verify-json", ["verify", "--since", "1h", "--format", "json"], stack);
        await RunAsync("verify-repair-table", ["verify", "--since", "1h", "--repair"], stack);
        await DropDayIndexRowAsync(third);
        await RunAsync("verify-repair-json", ["verify", "--since", "1h", "--repair", "--format", "json"], stack);
        await RunAsync("verify-after-repair", ["verify", "--since", "2h"], stack);
        await RunAsync("reproject-table", ["reproject"], stack);
        await RunAsync("reproject-json", ["reproject", "--restart", "--format", "json"], stack);
        await RunAsync("reproject-since", ["reproject", "--since", "7d", "--restart"], stack);
        foreach (var format in new[] { "table", "json", "jsonl", "csv" })
        {
            await RunAsync($"calls-list-rep-{format}", ["calls", "list", "--rep", rep, "--format", format], stack);
            await RunAsync($"calls-list-day-{format}", ["calls", "list", "--day", "2026-11-01", "--format", format], stack);
        }

        await RunAsync("calls-list-json-flag", ["calls", "list", "--agency", agency, "--from", "2026-10-30", "--to", "2026-11-02", "--json"], stack);
        await RunAsync("calls-list-csv-flag", ["calls", "list", "--agency", agency, "--from", "2026-10-30", "--to", "2026-11-02", "--csv"], stack);
        await RunAsync("calls-list-top", ["calls", "list", "--day", "2026-11-01", "--top", "1"], stack);
        await RunAsync("calls-show-table", ["calls", "show", first], stack);
        await RunAsync("calls-show-json", ["calls", "show", first, "--format", "json"], stack);
        await RunAsync("calls-show-json-flag", ["calls", "show", second, "--json"], stack);
        await RunAsync("calls-show-missing", ["calls", "show", "athos_call_missing00000"], stack);
        await RunAsync("redrive-dry-run-table", ["redrive", "--dry-run"], stack);
        await RunAsync("redrive-dry-run-json", ["redrive", "--dry-run", "--format", "json"], stack);
        await RunAsync("redrive-table", ["redrive"], stack);
        await RunAsync("redrive-json", ["redrive", "--format", "json"], stack);
        await RunAsync("backfill-no-wait-table", ["backfill", "--from", "2026-11-01", "--to", "2026-11-02", "--no-wait"], stack);
        await RunAsync("backfill-no-wait-json", ["backfill", "--from", "2026-11-01T00:00:00Z", "--to", "2026-11-02T00:00:00Z", "--source", "roleplay", "--no-wait", "--format", "json"], stack);
        await RunAsync("forget-table", ["forget", first], stack);
        await RunAsync("forget-json", ["forget", second, "--format", "json"], stack);
        await RunAsync("forget-again-table", ["forget", first], stack);
        await RunAsync("forget-restore-table", ["forget", first, "--allow-restore"], stack);
        await RunAsync("forget-restore-json", ["forget", second, "--allow-restore", "--format", "json"], stack);
        await RunAsync("forget-restore-not-erased", ["forget", third, "--allow-restore"], stack);
        foreach (var format in new[] { "table", "json", "jsonl", "csv" })
        {
            await RunAsync($"calls-changes-{format}", ["calls", "changes", "--since", "1h", "--format", format], stack);
        }

        Assert.True(_mismatches.Count == 0, $"{_mismatches.Count} of {_count} invocation(s) differ from their golden file:\n\n{string.Join("\n\n", _mismatches)}");
    }

    private async Task RunAsync(string name, string[] args, IReadOnlyDictionary<string, string?> environment)
    {
        using var cli = CliProcess.Start(args, environment);
        var exit = await cli.WaitForExitAsync(Patience);
        var actual = Mask($"athos-webhooks {string.Join(' ', args)}\nexit: {exit}\n--- stdout\n{cli.Output}--- stderr\n{cli.Error}");
        var file = Path.Combine(Goldens, name + ".txt");
        lock (_mismatches)
        {
            _count++;
            if (cli.Error.Contains("   at ", StringComparison.Ordinal))
            {
                _mismatches.Add($"== {name}: a stack trace on standard error\n{cli.Error}");
            }

            if (Environment.GetEnvironmentVariable("ATHOS_UPDATE_GOLDENS") == "1")
            {
                Directory.CreateDirectory(Goldens);
                File.WriteAllText(file, actual, new UTF8Encoding(false));
                return;
            }

            var expected = File.Exists(file) ? File.ReadAllText(file).ReplaceLineEndings("\n") : "(no golden file)";
            if (expected != actual)
            {
                _mismatches.Add($"== {name}\n-- expected\n{expected}\n-- actual\n{actual}");
            }
        }
    }

    /// <summary>What varies from run to run, and only that, replaced by a name; runs of spaces (a table's padding around a masked value) made one.</summary>
    private string Mask(string text)
    {
        text = text.ReplaceLineEndings("\n").Replace(_simulator.BaseUrl.ToString().TrimEnd('/'), "<athos>", StringComparison.Ordinal);
        text = GuidRegex().Replace(text, "<guid>");
        text = CheckpointRegex().Replace(text, "<checkpoint>");
        text = TimeRegex().Replace(text, "<time>");
        text = DateRegex().Replace(text, "<date>");
        text = PortRegex().Replace(text, "127.0.0.1:<port>");
        text = RequestIdRegex().Replace(text, "request <id>");
        text = DurationRegex().Replace(text, "<duration>");
        text = SecondsRegex().Replace(text, "$1<seconds>");
        text = SpacesRegex().Replace(text, " ");
        return text;
    }

    private async Task StoreAsync(IEnumerable<SimulatedCall> calls)
    {
        // Written 20 minutes back, so that verify judges them (not in flight) and a planted discrepancy is found.
        var clock = new SkewedClock(TimeProvider.System, TimeSpan.FromMinutes(-20));
        await using var app = await TestApp.StartAsync(StackSettings.For(_simulator, storage.Azurite), services => services.AddSingleton<TimeProvider>(clock));
        foreach (var call in calls)
        {
            var item = new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) };
            await app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(item), call.Id, 1, TestContext.Current.CancellationToken);
        }
    }

    private async Task DropDayIndexRowAsync(string callId)
    {
        var row = (await new TestTables(storage.ConnectionString).MainAsync(callId))!;
        var key = CallIndex.KeysOf(row).Single(k => k.Table == StorageNames.CallsByDayTable);
        await _tables.GetTableClient(key.Table).DeleteEntityAsync(key.PartitionKey, key.RowKey, cancellationToken: TestContext.Current.CancellationToken);
    }

    [GeneratedRegex(@"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\b[0-9a-f]{32}\b")]
    private static partial Regex GuidRegex();

    [GeneratedRegex(@"(?<!\d)\d{19}(?!\d)|\bbf_\d{14}_[0-9a-f]{8}\b")]
    private static partial Regex CheckpointRegex();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")]
    private static partial Regex TimeRegex();

    // A date, and the hour a partition key appends to it (AthosCallChanges' "2026-12-07T10"): both move with the clock.
    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}(T\d{2}\b)?")]
    private static partial Regex DateRegex();

    [GeneratedRegex(@"127\.0\.0\.1:\d+")]
    private static partial Regex PortRegex();

    [GeneratedRegex(@"request [0-9A-Za-z_\-]+")]
    private static partial Regex RequestIdRegex();

    [GeneratedRegex(@"\b\d+(\.\d+)?\s?(ms|s|m|h|d|min|minutes?|seconds?|hours?)\b(?! call)")]
    private static partial Regex DurationRegex();

    [GeneratedRegex(@"(""(?:medianSeconds|maxSeconds|ageSeconds|lastWrittenSeconds)"": )[0-9.]+")]
    private static partial Regex SecondsRegex();

    [GeneratedRegex(" {2,}")]
    private static partial Regex SpacesRegex();
}
