using System.Text.Json;
using Athos.Simulator;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Functions;
using Athos.Webhooks.Hosting;
using Athos.Webhooks.Operations;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Athos.Webhooks.Tests.Reconciliation;

/// <summary>
/// The trailing rescan keyed by the occurrence of its schedule (real Azurite, the simulator): each occurrence starts its
/// own rescan, once however many hosts fire it, one at a time; an occurrence that finds one running is skipped and
/// counted in <c>status</c>; a rescan whose chain stopped does not hold the next back for ever.
/// </summary>
public sealed class RescanGateTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly DateTimeOffset Midnight = new(2026, 6, 5, 0, 0, 0, TimeSpan.Zero);

    private AthosSimulator _simulator = null!;
    private TestQueues _queues = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 2424, FailureRate = 0 });
        _simulator.AddCalls(5, DateTimeOffset.UtcNow.AddDays(-3), DateTimeOffset.UtcNow.AddHours(-1));
        _queues = new TestQueues(storage.ConnectionString);
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Two_occurrences_on_one_day_each_start_a_rescan_named_by_the_occurrence_and_a_late_firing_of_the_first_starts_none()
    {
        await using var app = await StartAppAsync();
        var backfiller = app.Get<Backfiller>();

        var first = await backfiller.StartRescanJobAsync(Midnight, TestContext.Current.CancellationToken);
        await QueueDrainer.DrainAsync(app, _queues);
        var second = await backfiller.StartRescanJobAsync(Midnight.AddHours(6), TestContext.Current.CancellationToken);
        await QueueDrainer.DrainAsync(app, _queues);
        var lateFirst = await backfiller.StartRescanJobAsync(Midnight, TestContext.Current.CancellationToken);

        Assert.Equal(new { First = (string?)"rs_20260605000000", Second = (string?)"rs_20260605060000" }, new { First = first?.JobId, Second = second?.JobId });
        Assert.Null(lateFirst);
        Assert.Equal(
            [("rs_20260605000000", BackfillStatus.Completed), ("rs_20260605060000", BackfillStatus.Completed)],
            (await RescanJobsAsync()).Select(j => (j.JobId, j.Status)));
    }

    [Fact]
    public async Task Every_host_firing_one_occurrence_at_once_starts_one_rescan_with_one_first_page()
    {
        await using var app = await StartAppAsync();
        var occurrence = Midnight.AddHours(3).AddMinutes(30);
        // The Functions timer passes the occurrence in its schedule status, in the host's local time.
        var timer = new TimerInfo { ScheduleStatus = new ScheduleStatus { Last = occurrence.AddDays(-1).LocalDateTime, Next = occurrence.LocalDateTime } };

        var started = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => app.Get<Backfiller>().StartRescanJobAsync(occurrence, TestContext.Current.CancellationToken)));
        await new RescanFunction(app.Get<IScheduledJobs>(), TimeProvider.System).RunAsync(timer, TestContext.Current.CancellationToken);

        Assert.Equal("rs_20260605033000", Assert.Single(started, j => j is not null)!.JobId);
        Assert.Equal(["rs_20260605033000"], (await RescanJobsAsync()).Select(j => j.JobId));
        Assert.Equal(1, await _queues.CountAsync());
    }

    [Fact]
    public async Task An_occurrence_that_finds_a_rescan_running_is_skipped_counted_once_and_shown_by_status_then_the_next_starts()
    {
        await using var app = await StartAppAsync();
        var backfiller = app.Get<Backfiller>();
        var running = await backfiller.StartRescanJobAsync(Midnight, TestContext.Current.CancellationToken);

        // The next occurrence, fired by two hosts, and the one after: the first rescan's pages are still on the queue.
        var skipped = new[]
        {
            await backfiller.StartRescanJobAsync(Midnight.AddSeconds(15), TestContext.Current.CancellationToken),
            await backfiller.StartRescanJobAsync(Midnight.AddSeconds(15), TestContext.Current.CancellationToken),
            await backfiller.StartRescanJobAsync(Midnight.AddSeconds(30), TestContext.Current.CancellationToken),
        };
        var whileRunning = await StatusAsync(app);
        var stored = await backfiller.GetAsync(running!.JobId, TestContext.Current.CancellationToken);
        await QueueDrainer.DrainAsync(app, _queues);
        var next = await backfiller.StartRescanJobAsync(Midnight.AddSeconds(45), TestContext.Current.CancellationToken);
        var afterwards = await StatusAsync(app);

        Assert.All(skipped, Assert.Null);
        Assert.Equal(new StatusRescan(running.JobId, BackfillStatus.Running, stored!.CreatedAt, null, 2, Midnight.AddSeconds(30)), whileRunning.Report.Rescan);
        Assert.Equal(2, app.Logs.GetSnapshot().Count(r => r.Id.Id == LogEvents.RescanSkipped));
        var json = JsonDocument.Parse(whileRunning.Json).RootElement.GetProperty("rescan");
        Assert.Equal(
            ["jobId", "status", "startedAt", "skipped", "lastSkippedAt"],
            json.EnumerateObject().Select(p => p.Name));
        Assert.Contains("Rescan           latest rs_20260605000000 running", whileRunning.Table, StringComparison.Ordinal);
        Assert.Contains("2 occurrence(s) skipped while one ran", whileRunning.Table, StringComparison.Ordinal);

        Assert.Equal("rs_20260605000045", next?.JobId);
        Assert.Equal(new { JobId = (string?)"rs_20260605000045", Status = (string?)BackfillStatus.Running, Skipped = 2 }, new { afterwards.Report.Rescan!.JobId, afterwards.Report.Rescan.Status, afterwards.Report.Rescan.Skipped });
        Assert.Equal(BackfillStatus.Completed, (await backfiller.GetAsync(running.JobId, TestContext.Current.CancellationToken))!.Status);
    }

    [Fact]
    public async Task A_rescan_whose_chain_stopped_writing_a_day_ago_no_longer_holds_back_the_next_occurrence()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await StartAppAsync(clock);
        var backfiller = app.Get<Backfiller>();
        var stopped = await backfiller.StartRescanJobAsync(Midnight, TestContext.Current.CancellationToken);
        // Its first page is lost (parked, say): nothing writes its row again.
        await _queues.ReceiveAsync();

        var within = await backfiller.StartRescanJobAsync(Midnight.AddHours(6), TestContext.Current.CancellationToken);
        clock.Advance(RescanGate.StalledAfter + TimeSpan.FromMinutes(5));
        var after = await backfiller.StartRescanJobAsync(Midnight.AddHours(30), TestContext.Current.CancellationToken);

        Assert.Null(within);
        Assert.Equal("rs_20260606060000", after?.JobId);
        var warning = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == LogEvents.RescanStalled);
        Assert.Contains(stopped!.JobId, warning.Message, StringComparison.Ordinal);
    }

    /// <summary>A page parked on its last attempt stops its rescan, so the next occurrence starts at once, not a day later.</summary>
    [Fact]
    public async Task A_rescan_whose_page_is_parked_stops_with_the_reason_the_next_occurrence_starts_and_a_redrive_finishes_it()
    {
        await using var app = await StartAppAsync();
        var backfiller = app.Get<Backfiller>();
        var parked = await backfiller.StartRescanJobAsync(Midnight, TestContext.Current.CancellationToken);
        var page = Assert.Single(await _queues.ReceiveAsync());
        _simulator.Faults.Add(r => r.Operation == ApiOperation.List, new FaultResponse(400, "INVALID_REQUEST"));

        var outcome = await app.Get<WorkItemProcessor>().ProcessAsync(page.Body, page.MessageId, app.Get<QueueOptions>().MaxDequeueCount, TestContext.Current.CancellationToken);
        _simulator.Faults.Clear();
        var next = await backfiller.StartRescanJobAsync(Midnight.AddHours(6), TestContext.Current.CancellationToken);

        Assert.Equal(WorkOutcome.Parked, outcome);
        var stopped = (await backfiller.GetAsync(parked!.JobId, TestContext.Current.CancellationToken))!;
        Assert.Equal(BackfillStatus.Failed, stopped.Status);
        Assert.Contains("parked", stopped.LastError, StringComparison.Ordinal);
        Assert.Equal("rs_20260605060000", next?.JobId);

        // A redrive of the page carries the stopped job on to its end.
        await app.Get<WorkItemProcessor>().ProcessAsync(page.Body, "redriven", 1, TestContext.Current.CancellationToken);
        Assert.Equal(BackfillStatus.Completed, (await backfiller.GetAsync(parked.JobId, TestContext.Current.CancellationToken))!.Status);
    }

    private Task<TestApp> StartAppAsync(TimeProvider? clock = null) =>
        TestApp.StartAsync(_simulator, storage.Azurite, [("ATHOS_RECONCILE_RESCAN_WINDOW", "7.00:00:00")], clock is null ? null : services => services.AddSingleton(clock));

    private async Task<List<BackfillJob>> RescanJobsAsync()
    {
        var state = new TableClient(storage.ConnectionString, StorageNames.StateTable);
        var jobs = new List<BackfillJob>();
        await foreach (var job in state.QueryAsync<BackfillJob>(j => j.PartitionKey == BackfillJob.Partition && j.Kind == BackfillKind.Rescan, cancellationToken: TestContext.Current.CancellationToken))
        {
            jobs.Add(job);
        }

        return [.. jobs.OrderBy(j => j.JobId, StringComparer.Ordinal)];
    }

    private static async Task<(StatusReport Report, string Json, string Table)> StatusAsync(TestApp app)
    {
        var now = DateTimeOffset.UtcNow;
        var status = app.Get<IStatusHandler>();
        var report = await ((StatusHandler)status).CheckAsync(now.AddDays(-1), now, TestContext.Current.CancellationToken);
        var document = await status.StatusAsync(now.AddDays(-1), now, TestContext.Current.CancellationToken);
        using var json = new StringWriter();
        using var table = new StringWriter();
        StatusOutput.Write(json, document, status.Describe, OutputFormat.Json);
        StatusOutput.Write(table, document, status.Describe, OutputFormat.Table);
        return (report, json.ToString(), table.ToString());
    }
}
