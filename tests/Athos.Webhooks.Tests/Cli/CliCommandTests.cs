using System.Text.Json;
using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Cli.Commands;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Tests.Changes;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Athos.Webhooks.Writing;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>The operator commands against real Azurite and the simulator.</summary>
public sealed class CliCommandTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private AthosSimulator _simulator = null!;
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 66, FailureRate = 0, WebhookSecret = "whsec_cli0000000000000000000000000" });
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Doctor_passes_on_a_healthy_setup()
    {
        var exit = await DoctorCommand.RunAsync(Configuration(), _output, TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        Assert.DoesNotContain("FAIL", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Athos accepted ATHOS_API_KEY", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("queues exist: athos-calls, athos-calls-poison", _output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(Athos.Simulator.AthosContract.Early), "early")]
    [InlineData(nameof(Athos.Simulator.AthosContract.Current), "current")]
    public async Task Doctor_names_the_contract_Athos_speaks(string contract, string name)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 67, FailureRate = 0, Contract = Enum.Parse<Athos.Simulator.AthosContract>(contract) }, cancellationToken: cancellationToken);
        simulator.AddCalls(3, DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddHours(-1));

        var exit = await DoctorCommand.RunAsync(new ConfigurationBuilder().AddInMemoryCollection(StackSettings.For(simulator, storage.Azurite)).Build(), _output, cancellationToken);

        Assert.Equal(0, exit);
        Assert.Contains($"(Athos's {name} contract)", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_passes_a_longer_attempt_timeout_that_start_up_accepts()
    {
        // Start-up accepts 30 s per attempt under the default 60 s total; doctor's quick budget must not make it fail.
        var exit = await DoctorCommand.RunAsync(Configuration(("ATHOS_HTTP_ATTEMPT_TIMEOUT", "00:00:30")), _output, TestContext.Current.CancellationToken);

        Assert.Empty(FailLines());
        Assert.Equal(0, exit);
        Assert.Contains("Athos accepted ATHOS_API_KEY", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_json_lists_every_check_in_one_object_for_scripts()
    {
        var exit = await DoctorCommand.RunAsync(Configuration(("ATHOS_WHSEC", null)), _output, OutputFormat.Json, TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        var report = JsonDocument.Parse(_output.ToString()).RootElement;
        Assert.Equal(new { Passed = false, Failures = 1 }, new { Passed = report.GetProperty("passed").GetBoolean(), Failures = report.GetProperty("failures").GetInt32() });
        var checks = report.GetProperty("checks").EnumerateArray().Select(c => (Result: c.GetProperty("result").GetString(), Message: c.GetProperty("message").GetString()!)).ToList();
        Assert.StartsWith("ATHOS_WHSEC is required", Assert.Single(checks, c => c.Result == "fail").Message, StringComparison.Ordinal);
        Assert.Contains(checks, c => c.Result == "ok" && c.Message.StartsWith("Athos accepted ATHOS_API_KEY", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Doctor_names_a_missing_secret()
    {
        var exit = await DoctorCommand.RunAsync(Configuration(("ATHOS_WHSEC", null)), _output, TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        var failure = Assert.Single(FailLines());
        Assert.StartsWith("FAIL  ATHOS_WHSEC is required", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_names_unreachable_storage()
    {
        var closedPort = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;";

        var exit = await DoctorCommand.RunAsync(Configuration(("AzureWebJobsStorage", closedPort)), _output, TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        var failure = Assert.Single(FailLines());
        Assert.StartsWith("FAIL  Storage failed or is unreachable at 127.0.0.1:9", failure, StringComparison.Ordinal);
        Assert.Contains("Check AzureWebJobsStorage", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_names_a_wrong_api_key()
    {
        var exit = await DoctorCommand.RunAsync(Configuration(("ATHOS_API_KEY", "ath_live_wrong")), _output, TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        var failure = Assert.Single(FailLines());
        Assert.Matches("^FAIL  Athos refused ATHOS_API_KEY \\(401 INVALID_API_KEY, request req_[0-9a-f-]{36}\\)", failure);
    }

    [Fact]
    public async Task Redrive_parks_the_poison_queue_and_moves_the_three_work_items_back_where_they_are_processed()
    {
        var calls = _simulator.AddCalls(3, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddMinutes(-5));
        var poison = new QueueClient(storage.ConnectionString, StorageNames.PoisonQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        foreach (var call in calls)
        {
            await poison.SendMessageAsync(WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Webhook, WebhookId = "wh_" + call.Id[^8..], CallId = CallId.Parse(call.Id) }), cancellationToken: TestContext.Current.CancellationToken);
        }

        await poison.SendMessageAsync("not a work item", TestContext.Current.CancellationToken);

        var json = new StringWriter();
        Assert.Equal(0, await RedriveCommand.RunAsync(Configuration(), json, _error, dryRun: true, OutputFormat.Json, TestContext.Current.CancellationToken));
        var dryRun = await RedriveCommand.RunAsync(Configuration(), _output, _error, dryRun: true, OutputFormat.Table, TestContext.Current.CancellationToken);
        var exit = await RedriveCommand.RunAsync(Configuration(), _output, _error, dryRun: false, OutputFormat.Table, TestContext.Current.CancellationToken);
        await using var app = await TestApp.StartAsync(Settings());
        var outcomes = await QueueDrainer.DrainAsync(app, new TestQueues(storage.ConnectionString));

        Assert.Equal(new { DryRun = 0, Exit = 0 }, new { DryRun = dryRun, Exit = exit });
        var counted = JsonDocument.Parse(json.ToString()).RootElement;
        Assert.Equal(new { DryRun = true, Found = 4, Moved = 0, Unreadable = 0 }, new { DryRun = counted.GetProperty("dryRun").GetBoolean(), Found = counted.GetProperty("found").GetInt32(), Moved = counted.GetProperty("moved").GetInt32(), Unreadable = counted.GetProperty("unreadable").GetInt32() });
        Assert.Contains("4 parked work item(s) (dry run: nothing moved;", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Moved 3 of 4 parked work item(s) back to athos-calls", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("1 parked item(s) are not work items and stay in AthosParkedWork", _output.ToString(), StringComparison.Ordinal);
        Assert.Equal([WorkOutcome.Stored, WorkOutcome.Stored, WorkOutcome.Stored], outcomes);
        var tables = new TestTables(storage.ConnectionString);
        Assert.All(calls, call => Assert.NotNull(tables.MainAsync(call.Id).Result));
        Assert.Equal(0, (await poison.GetPropertiesAsync(TestContext.Current.CancellationToken)).Value.ApproximateMessagesCount);
        Assert.Equal(ParkReason.InvalidWorkItem, Assert.Single(await app.Get<ParkedWork>().ListAsync(TestContext.Current.CancellationToken)).Reason);
    }

    [Fact]
    public async Task Calls_list_prints_a_rep_s_calls_as_table_json_jsonl_and_csv()
    {
        var call = _simulator.AddCalls(1, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddMinutes(-5))[0];
        await using (var app = await TestApp.StartAsync(Settings()))
        {
            await app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) }), "m", 1, TestContext.Current.CancellationToken);
        }

        var query = new CallsCommand.ListQuery(call.ExternalUserId, null, null, null, null, 20);
        var table = await List(query, OutputFormat.Table);
        var json = await List(query, OutputFormat.Json);
        var csv = await List(query, OutputFormat.Csv);
        var jsonl = await List(query, OutputFormat.Jsonl);

        Assert.Contains(call.Id, table, StringComparison.Ordinal);
        Assert.Contains("1 call(s).", table, StringComparison.Ordinal);
        var parsed = JsonDocument.Parse(json).RootElement;
        Assert.Equal(call.Id, parsed[0].GetProperty("callId").GetString());
        Assert.Equal(call.OverallScore, parsed[0].GetProperty("overallScore").GetDouble());
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("\uFEFFEndedAt,CallId,Status,Rep,Agency,Drill,Score,Summary\r", lines[0]);
        Assert.EndsWith("\r\n", csv, StringComparison.Ordinal);
        Assert.Equal(call.Id, JsonDocument.Parse(Assert.Single(jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries))).RootElement.GetProperty("callId").GetString());
        Assert.Contains(call.Id, lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_list_csv_escapes_cells_that_Excel_would_evaluate()
    {
        var row = TestCalls.Scored("athos_call_csvlist01", 1, rep: "=HYPERLINK(\"http://evil.example\",\"x\")");
        row.ExternalAgencyId = "@SUM(A1)";
        row.DrillKey = "+drill,with comma";
        row.Summary = "-2+3";
        await TestCalls.Writer(new TableServiceClient(storage.ConnectionString), TimeProvider.System).WriteAsync(TestCalls.Fresh(row), PriorRow.Unknown, TestContext.Current.CancellationToken);

        var csv = await List(new CallsCommand.ListQuery(row.ExternalUserId, null, null, null, null, 20), OutputFormat.Csv);

        var line = Assert.Single(csv.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("athos_call_csvlist01", StringComparison.Ordinal));
        Assert.Equal("2026-03-10 15:00:00,athos_call_csvlist01,scored,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",'@SUM(A1),\"'+drill,with comma\",61,'-2+3", line.TrimEnd('\r'));
    }

    /// <summary>
    /// Text Athos supplies can carry terminal control sequences (ESC … retitles the window, clears the screen, fakes a
    /// link; a line break fakes a row; a bidi override reorders what is shown): table and CSV output show them as escapes,
    /// JSON keeps them exact.
    /// </summary>
    [Fact]
    public async Task Calls_list_and_show_escape_control_characters_in_table_and_csv_and_keep_json_exact()
    {
        const string Summary = "Great call\u001b]0;pwned\u0007\u001b[2J\nFAKE ROW\u009b31m\u202Eevil";
        var row = TestCalls.Scored("athos_call_escapes01", 1, rep: "rep_\u001b[31mred");
        row.Summary = Summary;
        await TestCalls.Writer(new TableServiceClient(storage.ConnectionString), TimeProvider.System).WriteAsync(TestCalls.Fresh(row), PriorRow.Unknown, TestContext.Current.CancellationToken);
        var query = new CallsCommand.ListQuery(row.ExternalUserId, null, null, null, null, 20);

        var table = await List(query, OutputFormat.Table);
        var csv = await List(query, OutputFormat.Csv);
        var json = await List(query, OutputFormat.Json);
        var shown = new StringWriter();
        Assert.Equal(0, await CallsCommand.ShowAsync(Configuration(), shown, _error, row.CallId, OutputFormat.Table, TestContext.Current.CancellationToken));

        foreach (var text in new[] { table, csv, shown.ToString() })
        {
            Assert.DoesNotContain(text, c => c is '\u001b' or '\u0007' or '\u009b' or '\u202E');
            Assert.Contains("rep_\\x1B[31mred", text, StringComparison.Ordinal);
        }

        Assert.Contains("Great call\\x1B]0;pwned\\x07\\x1B[2J\\x0AFAKE ROW\\x9B31m\\u202Eevil", shown.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(table.Split('\n'), line => line.StartsWith("FAKE ROW", StringComparison.Ordinal));
        Assert.Equal(Summary, JsonDocument.Parse(json).RootElement[0].GetProperty("summary").GetString());
    }

    [Theory]
    [InlineData(null, null, null, "Give exactly one of --rep, --day or --agency")]
    [InlineData("rep_1", "2026-01-01", null, "Give exactly one of --rep, --day or --agency")]
    [InlineData(null, "01/06/2026", null, "--day must be a date, yyyy-MM-dd; got '01/06/2026'.")]
    [InlineData(null, null, "agency_chicago", "--from is required (yyyy-MM-dd).")]
    public async Task Calls_list_names_the_bad_option(string? rep, string? day, string? agency, string expected)
    {
        var exit = await CallsCommand.ListAsync(Configuration(), _output, _error, new CallsCommand.ListQuery(rep, day, agency, null, null, 20), OutputFormat.Table, TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.StartsWith(expected, _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_show_refuses_an_unsafe_id_and_reports_an_unknown_one()
    {
        var unsafeExit = await CallsCommand.ShowAsync(Configuration(), _output, _error, "athos_call_../x", OutputFormat.Table, TestContext.Current.CancellationToken);
        var unknownExit = await CallsCommand.ShowAsync(Configuration(), _output, _error, "athos_call_nothere", OutputFormat.Table, TestContext.Current.CancellationToken);

        Assert.Equal(new { UnsafeExit = 2, UnknownExit = 1 }, new { UnsafeExit = unsafeExit, UnknownExit = unknownExit });
        Assert.Contains("callId: A call id may contain only", _error.ToString(), StringComparison.Ordinal);
        Assert.Contains("No stored call athos_call_nothere.", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_test_webhook_delivers_one_signed_event_that_the_endpoint_accepts()
    {
        await using var receiver = await ReceiverHost.StartAsync(Settings());

        var exit = await SendTestWebhookCommand.RunAsync(_output, _error, receiver.WebhookUrl.ToString(), _simulator.WebhookSecret, "athos_call_testdelivery", failed: false, TimeProvider.System, TestContext.Current.CancellationToken);
        var wrongSecret = await SendTestWebhookCommand.RunAsync(_output, _error, receiver.WebhookUrl.ToString(), "whsec_not_the_one_configured_0000", "athos_call_testdelivery", failed: false, TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(new { Exit = 0, WrongSecret = 1 }, new { Exit = exit, WrongSecret = wrongSecret });
        Assert.Contains("→ 202 {\"status\":\"accepted\"}", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("→ 401 {\"error\":{\"code\":\"invalid_signature\"", _output.ToString(), StringComparison.Ordinal);
        var item = Assert.IsType<FetchCallWorkItem>(Assert.Single(await new TestQueues(storage.ConnectionString).PeekAllAsync()));
        Assert.Equal("athos_call_testdelivery", item.CallId.Value);
    }

    [Theory]
    [InlineData("2026-02-01", "2026-01-01", "--from: from (2026-02-01T00:00:00.0000000+00:00) must be before to")]
    [InlineData("2099-01-01", "2099-02-01", "--from: from (2099-01-01T00:00:00.0000000+00:00) is in the future.")]
    [InlineData("2015-01-01", "2026-01-01", "--to: A backfill covers at most 1098 days")]
    public async Task Backfill_refuses_a_bad_range_naming_the_option_and_starts_nothing(string from, string to, string expected)
    {
        var exit = await BackfillCommand.RunAsync(Configuration(), _output, _error, from, to, "all", wait: false, OutputFormat.Table, TimeSpan.FromSeconds(1), terminal: false, TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.StartsWith(expected, _error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await new TestQueues(storage.ConnectionString).CountAsync());
    }

    [Fact]
    public async Task Backfill_no_wait_json_prints_only_the_started_job()
    {
        var exit = await BackfillCommand.RunAsync(Configuration(), _output, _error, "2026-01-01", "2026-01-02", "roleplay", wait: false, OutputFormat.Json, TimeSpan.FromSeconds(1), terminal: false, TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        var job = JsonDocument.Parse(_output.ToString()).RootElement;
        Assert.StartsWith("bf_", job.GetProperty("jobId").GetString(), StringComparison.Ordinal);
        Assert.Equal(new { Status = (string?)"running", PagesDone = 0 }, new { Status = job.GetProperty("status").GetString(), PagesDone = job.GetProperty("pagesDone").GetInt32() });
        Assert.Equal(["roleplay"], job.GetProperty("sources").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(_error.ToString());
    }

    [Fact]
    public async Task Backfill_starts_a_job_and_watches_it_complete()
    {
        _simulator.AddCalls(30, DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddHours(-1));
        await using var app = await TestApp.StartAsync(Settings());
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var worker = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await QueueDrainer.DrainAsync(app, new TestQueues(storage.ConnectionString));
                await Task.Delay(200, CancellationToken.None);
            }
        }, TestContext.Current.CancellationToken);

        var exit = await BackfillCommand.RunAsync(Configuration(), _output, _error, DateTimeOffset.UtcNow.AddDays(-3).ToString("o"), null, "all", wait: true, OutputFormat.Table, TimeSpan.FromMilliseconds(200), terminal: false, TimeProvider.System, TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await worker;

        Assert.Equal(0, exit);
        Assert.Contains("pages 1 · listed 30 · missing 30 · stale 0 · queued 30", _output.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("Completed.", _output.ToString().TrimEnd(), StringComparison.Ordinal);
        Assert.Contains("Waiting for the queue worker", _error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Waiting", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backfill_stops_waiting_when_its_job_fails_prints_it_and_exits_1()
    {
        _simulator.AddCalls(5, DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddHours(-1));
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        // No worker runs the pages: the job fails as the Backfiller fails one (a cursor that loops, Athos refusing the key).
        var state = new TableClient(storage.ConnectionString, StorageNames.StateTable);
        var failer = Task.Run(
            async () =>
            {
                while (true)
                {
                    await foreach (var job in state.QueryAsync<TableEntity>(e => e.PartitionKey == BackfillJob.Partition, cancellationToken: stop.Token))
                    {
                        await state.UpdateEntityAsync(new TableEntity(job.PartitionKey, job.RowKey) { ["Status"] = BackfillStatus.Failed, ["LastError"] = "Athos's cursor looped" }, ETag.All, TableUpdateMode.Merge, stop.Token);
                        return;
                    }

                    await Task.Delay(100, stop.Token);
                }
            },
            stop.Token);

        var exit = await BackfillCommand.RunAsync(Configuration(), _output, _error, DateTimeOffset.UtcNow.AddDays(-3).ToString("o"), null, "all", wait: true, OutputFormat.Json, TimeSpan.FromMilliseconds(200), terminal: false, TimeProvider.System, stop.Token);
        await failer;

        Assert.Equal(1, exit);
        var report = JsonDocument.Parse(_output.ToString()).RootElement;
        Assert.Equal(new { Status = (string?)"failed", LastError = (string?)"Athos's cursor looped" }, new { Status = report.GetProperty("status").GetString(), LastError = report.GetProperty("lastError").GetString() });
    }

    private async Task<string> List(CallsCommand.ListQuery query, OutputFormat format)
    {
        var output = new StringWriter();
        Assert.Equal(0, await CallsCommand.ListAsync(Configuration(), output, _error, query, format, TestContext.Current.CancellationToken));
        return output.ToString();
    }

    private List<string> FailLines() => [.. _output.ToString().Split('\n').Where(l => l.StartsWith("FAIL", StringComparison.Ordinal)).Select(l => l.TrimEnd())];

    private Dictionary<string, string?> Settings() => StackSettings.For(_simulator, storage.Azurite);

    private IConfiguration Configuration(params (string Name, string? Value)[] overrides)
    {
        var settings = Settings();
        foreach (var (name, value) in overrides)
        {
            settings[name] = value;
        }

        // Only these settings: the test machine's environment must not leak in.
        return new ConfigurationBuilder().AddInMemoryCollection(settings.Where(s => s.Value is not null)).Build();
    }
}
