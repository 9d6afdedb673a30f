using System.Text;
using Athos.Simulator;
using Athos.Webhooks.Functions;
using Athos.Webhooks.Hosting;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;

namespace Athos.Webhooks.Tests.Reconciliation;

/// <summary>Backfill as a chain of page work items, against real Azurite and the simulator over HTTP.</summary>
[Collection(HeavyTests.Name)]
public sealed class BackfillerTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private AthosSimulator _simulator = null!;
    private TestQueues _queues = null!;
    private TestApp _app = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 55, FailureRate = 0 });
        _queues = new TestQueues(storage.ConnectionString);
        _app = await TestApp.StartAsync(StackSettings.For(_simulator, storage.Azurite));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task Ten_thousand_calls_over_90_days_take_100_list_requests_and_fetch_only_the_missing()
    {
        var to = DateTimeOffset.UtcNow.AddHours(-1);
        var from = to.AddDays(-90);
        var calls = _simulator.AddCalls(10_000, from, to);
        var present = calls.Take(9_000).ToList();
        var missing = calls.Skip(9_000).Select(c => c.Id).ToHashSet();
        await StoreMainRowsAsync(present);

        var job = await _app.Get<Backfiller>().StartAsync(from, to, cancellationToken: TestContext.Current.CancellationToken);
        var outcomes = await QueueDrainer.DrainAsync(_app, _queues, parallelism: 32);

        Assert.Equal(100, _simulator.Requests.ListRequests);
        Assert.Equal(1_000, _simulator.Requests.DetailRequests);
        Assert.All(missing, id => Assert.Equal(1, _simulator.Requests.DetailRequestsFor(id)));
        Assert.Equal(100, outcomes.Count(o => o == WorkOutcome.PageProcessed));
        var done = await _app.Get<Backfiller>().GetAsync(job.JobId, TestContext.Current.CancellationToken);
        Assert.Equal(new { Status = BackfillStatus.Completed, PagesDone = 100, Listed = 10_000, Missing = 1_000, Stale = 0, Queued = 1_000 }, new { done!.Status, done.PagesDone, done.Listed, done.Missing, done.Stale, done.Queued });
        Assert.Equal(10_000, await new TestTables(storage.ConnectionString).CountAsync(StorageNames.CallsTable));
    }

    [Fact]
    public async Task A_redelivered_page_item_neither_loses_nor_duplicates_work()
    {
        var to = DateTimeOffset.UtcNow.AddHours(-1);
        var calls = _simulator.AddCalls(250, to.AddDays(-5), to);
        var job = await _app.Get<Backfiller>().StartAsync(to.AddDays(-5), to, cancellationToken: TestContext.Current.CancellationToken);
        var processor = _app.Get<WorkItemProcessor>();

        // Page 1 is processed, then its message is delivered again (the worker crashed before deleting it).
        var page1 = Assert.Single(await _queues.ReceiveAsync());
        var first = await processor.ProcessAsync(page1.Body, page1.MessageId, 1, TestContext.Current.CancellationToken);
        var again = await processor.ProcessAsync(page1.Body, page1.MessageId, 2, TestContext.Current.CancellationToken);
        await _queues.DeleteAsync(page1);
        var queuedAfterPage1 = await _queues.PeekAllAsync();
        await QueueDrainer.DrainAsync(_app, _queues);

        Assert.Equal(new { First = WorkOutcome.PageProcessed, Again = WorkOutcome.Duplicate }, new { First = first, Again = again });
        Assert.Single(queuedAfterPage1.OfType<BackfillPageWorkItem>());
        Assert.Equal(100, queuedAfterPage1.OfType<FetchCallWorkItem>().Count());
        Assert.Equal(3, _simulator.Requests.ListRequests);
        Assert.Equal(250, _simulator.Requests.DetailRequests);
        var done = await _app.Get<Backfiller>().GetAsync(job.JobId, TestContext.Current.CancellationToken);
        Assert.Equal(new { Status = BackfillStatus.Completed, PagesDone = 3, Listed = 250, Queued = 250 }, new { done!.Status, done.PagesDone, done.Listed, done.Queued });
        Assert.Equal(calls.Count, await new TestTables(storage.ConnectionString).CountAsync(StorageNames.CallsTable));
    }

    [Fact]
    public async Task A_page_whose_next_page_was_never_queued_queues_it_when_redelivered()
    {
        var to = DateTimeOffset.UtcNow.AddHours(-1);
        _simulator.AddCalls(150, to.AddDays(-1), to);
        var job = await _app.Get<Backfiller>().StartAsync(to.AddDays(-1), to, cancellationToken: TestContext.Current.CancellationToken);
        var processor = _app.Get<WorkItemProcessor>();
        var page1 = Assert.Single(await _queues.ReceiveAsync());
        await processor.ProcessAsync(page1.Body, page1.MessageId, 1, TestContext.Current.CancellationToken);

        // Simulate a crash between recording page 1 and queuing page 2: the page-2 item is lost.
        foreach (var message in await _queues.ReceiveAsync())
        {
            if (WorkItemSerializer.Deserialize(message.Body) is BackfillPageWorkItem)
            {
                await _queues.DeleteAsync(message);
            }
        }

        var jobs = new TableClient(storage.ConnectionString, StorageNames.StateTable);
        await jobs.UpsertEntityAsync(new TableEntity(BackfillJob.Partition, job.JobId) { ["NextPageQueued"] = false }, TableUpdateMode.Merge, TestContext.Current.CancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        await processor.ProcessAsync(page1.Body, page1.MessageId, 2, TestContext.Current.CancellationToken);
        await QueueDrainer.DrainAsync(_app, _queues);

        var done = await _app.Get<Backfiller>().GetAsync(job.JobId, TestContext.Current.CancellationToken);
        Assert.Equal(new { Status = BackfillStatus.Completed, PagesDone = 2, Listed = 150 }, new { done!.Status, done.PagesDone, done.Listed });
    }

    [Fact]
    public async Task The_admin_function_starts_a_job_and_reports_its_progress()
    {
        _simulator.AddCalls(30, DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddHours(-1));
        var functions = new BackfillFunctions(_app.Get<IAthosHttpHandlers>());
        var start = WebhookRequests.Build(Encoding.UTF8.GetBytes("""{"from":"2026-01-01T00:00:00Z","to":"2026-12-31T00:00:00Z"}"""), null, null);
        var started = await WebhookRequests.ExecuteAsync(await functions.StartAsync(start, TestContext.Current.CancellationToken), start);
        var jobId = started.Body.GetProperty("jobId").GetString()!;
        await QueueDrainer.DrainAsync(_app, _queues);

        var status = WebhookRequests.Build([], null, null);
        var progress = await WebhookRequests.ExecuteAsync(await functions.GetAsync(status, jobId, TestContext.Current.CancellationToken), status);

        Assert.Equal(202, started.Status);
        Assert.Equal(
            ["jobId", "kind", "status", "sources", "from", "to", "pagesDone", "listed", "missing", "stale", "recordings", "pending", "skippedIds", "queued", "createdAt"],
            started.Body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("running", started.Body.GetProperty("status").GetString());
        Assert.Equal(200, progress.Status);
        Assert.Equal(new { Status = (string?)"completed", Listed = 30, Queued = 30 }, new { Status = progress.Body.GetProperty("status").GetString(), Listed = progress.Body.GetProperty("listed").GetInt32(), Queued = progress.Body.GetProperty("queued").GetInt32() });
    }

    [Theory]
    [InlineData("""{"to":"2026-01-01T00:00:00Z"}""", 400, "missing_field", "from")]
    [InlineData("""{"from":"2026-01-01T00:00:00Z"}""", 400, "missing_field", "to")]
    [InlineData("""{"from":"last week","to":"2026-01-01T00:00:00Z"}""", 400, "invalid_field", "from")]
    [InlineData("""{"from":20260101,"to":"2026-01-01T00:00:00Z"}""", 400, "invalid_field", "from")]
    [InlineData("""{"from":"2026-02-01T00:00:00Z","to":"2026-01-01T00:00:00Z"}""", 400, "invalid_range", "from")]
    [InlineData("""{"from":"2099-01-01T00:00:00Z","to":"2099-02-01T00:00:00Z"}""", 400, "invalid_range", "from")]
    [InlineData("""{"from":"2015-01-01T00:00:00Z","to":"2026-01-01T00:00:00Z"}""", 400, "invalid_range", "to")]
    [InlineData("""{"from":"2026-01-01T00:00:00Z","to":"2026-02-01T00:00:00Z","sources":["phone"]}""", 400, "invalid_field", "sources")]
    [InlineData("""{"from":"2026-01-01T00:00:00Z","to":"2026-02-01T00:00:00Z","sources":"roleplay"}""", 400, "invalid_field", "sources")]
    [InlineData("""["2026-01-01"]""", 400, "not_an_object", null)]
    [InlineData("""from=2026-01-01""", 400, "invalid_json", null)]
    public async Task A_bad_backfill_request_is_refused_with_its_code_and_starts_nothing(string body, int status, string code, string? field)
    {
        var request = WebhookRequests.Build(Encoding.UTF8.GetBytes(body), null, null);

        var answer = await WebhookRequests.ExecuteAsync(await new BackfillFunctions(_app.Get<IAthosHttpHandlers>()).StartAsync(request, TestContext.Current.CancellationToken), request);

        Assert.Equal(new { Status = status, ErrorCode = (string?)code }, new { answer.Status, answer.ErrorCode });
        Assert.Equal(["error"], answer.Body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(field, answer.Body.GetProperty("error").TryGetProperty("field", out var f) ? f.GetString() : null);
        Assert.Equal(0, await _queues.CountAsync());
    }

    [Fact]
    public async Task Starting_a_backfill_with_storage_down_is_503_not_500()
    {
        await using var azurite = await AzuriteInstance.StartAsync(TestContext.Current.CancellationToken);
        await using var app = await TestApp.StartAsync(StackSettings.For(_simulator, azurite));
        await azurite.StopAsync();
        var request = WebhookRequests.Build(Encoding.UTF8.GetBytes("""{"from":"2026-11-01T00:00:00Z","to":"2026-11-02T00:00:00Z"}"""), null, null);

        var answer = await WebhookRequests.ExecuteAsync(await new BackfillFunctions(app.Get<IAthosHttpHandlers>()).StartAsync(request, TestContext.Current.CancellationToken), request);

        Assert.Equal(new { Status = 503, ErrorCode = (string?)"storage_unavailable" }, new { answer.Status, answer.ErrorCode });
    }

    [Theory]
    [InlineData("bf_unknown", 404, "job_not_found")]
    [InlineData("bf_../x", 400, "invalid_job_id")]
    public async Task Progress_for_an_unknown_or_unsafe_job_id_is_a_4xx(string jobId, int status, string code)
    {
        var request = WebhookRequests.Build([], null, null);

        var answer = await WebhookRequests.ExecuteAsync(await new BackfillFunctions(_app.Get<IAthosHttpHandlers>()).GetAsync(request, jobId, TestContext.Current.CancellationToken), request);

        Assert.Equal(new { Status = status, ErrorCode = (string?)code }, new { answer.Status, answer.ErrorCode });
    }

    private async Task StoreMainRowsAsync(IEnumerable<SimulatedCall> calls)
    {
        var table = new TableClient(storage.ConnectionString, StorageNames.CallsTable);
        await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (call, ct) =>
            await table.AddEntityAsync(new CallRow { PartitionKey = call.Id, CallId = call.Id, Status = CallStatus.Scored, ScoredAt = call.ScoredAt, EndedAt = call.EndedAt }, ct));
    }
}
