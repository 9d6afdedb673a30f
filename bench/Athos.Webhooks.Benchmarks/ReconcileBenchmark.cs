using System.Diagnostics;
using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;

namespace Athos.Webhooks.Benchmarks;

/// <summary>
/// A reconcile over 10,000 listed calls that are all present, the way it runs (the window read by range from the day
/// index) against the point-read way (one read of <c>AthosCalls</c> per listed call, parallelism 16), in one run.
/// </summary>
internal static class ReconcileBenchmark
{
    private const int Calls = 10_000;

    public static async Task RunAsync()
    {
        await using var stack = await Stack.StartAsync();
        var calls = stack.Simulator.AddCalls(Calls, DateTimeOffset.UtcNow.AddHours(-20), DateTimeOffset.UtcNow.AddMinutes(-5));
        await StoreAsync(stack, calls);

        // The point-read way: every listed page compared by reading AthosCalls, one call at a time, 16 at once.
        var pager = stack.Runner.Services.GetRequiredService<CallPager>();
        var finder = stack.Runner.Services.GetRequiredService<MissingCallFinder>();
        stack.Counter.Reset();
        var pointWatch = Stopwatch.StartNew();
        var pointListed = 0;
        var from = DateTimeOffset.UtcNow.AddDays(-1).AddHours(-1);
        for (var chunkStart = from; chunkStart < DateTimeOffset.UtcNow; chunkStart += Reconciler.ChunkSpan)
        {
            await foreach (var page in pager.PagesAsync(new CallListQuery(CallSources.Roleplay, chunkStart, chunkStart + Reconciler.ChunkSpan)))
            {
                pointListed += page.Data.Count;
                var gaps = await finder.QueueMissingAsync(page.Data, page.RequestId, WorkOrigin.Reconcile, DateTimeOffset.UtcNow, CancellationToken.None);
                if (gaps.Queued != 0)
                {
                    throw new InvalidOperationException("a present call was queued");
                }
            }
        }

        pointWatch.Stop();
        var pointRequests = stack.Counter.Requests.Count;

        // The way it runs.
        stack.Counter.Reset();
        var watch = Stopwatch.StartNew();
        var run = await stack.Runner.Services.GetRequiredService<Reconciler>().RunAsync();
        watch.Stop();
        if (run.Status != ReconcileOutcome.Succeeded || run.Listed != Calls || run.Queued != 0 || pointListed != Calls)
        {
            throw new InvalidOperationException($"unexpected run: {run}");
        }

        var requests = stack.Counter.Requests;
        var pointReads = requests.Count(r => r.Method == "GET" && r.Uri.AbsolutePath.Contains("/AthosCalls(", StringComparison.Ordinal));
        var rangeReads = requests.Count(r => r.Method == "GET" && r.Uri.AbsolutePath.Contains("/AthosCallsByDay()", StringComparison.Ordinal));
        Measure.Header($"Reconcile over {Calls:N0} listed calls, all present (parallelism 16)");
        Measure.Row("Duration, range reads (as it runs) / point reads", $"{watch.Elapsed.TotalSeconds:0.00} s / {pointWatch.Elapsed.TotalSeconds:0.00} s");
        Measure.Row("List requests", run.AthosRequests.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Measure.Row("Day-index range reads / AthosCalls point reads", $"{rangeReads} / {pointReads} (the point-read way: {pointRequests} storage requests)");
        Measure.AtMost("Storage requests per listed call (reads, state, lease, marks)", (double)requests.Count / Calls, 0.05, $"{requests.Count} requests");
        Measure.AtLeast("Speed-up over the point-read way", pointWatch.Elapsed / watch.Elapsed, 5);
    }

    // Main rows and day-index rows, as the writer leaves them, written straight to the tables (fast).
    private static async Task StoreAsync(Stack stack, IReadOnlyList<SimulatedCall> calls)
    {
        var main = new TableClient(stack.Azurite.ConnectionString, StorageNames.CallsTable);
        var byDay = new TableClient(stack.Azurite.ConnectionString, StorageNames.CallsByDayTable);
        await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (call, ct) =>
        {
            var row = new CallRow { PartitionKey = call.Id, CallId = call.Id, Status = CallStatus.Scored, ScoredAt = call.ScoredAt, EndedAt = call.EndedAt };
            await main.AddEntityAsync(row, ct);
            await byDay.AddEntityAsync(new CallRow { PartitionKey = TableKeys.Day(call.EndedAt), RowKey = TableKeys.NewestFirstRowKey(call.EndedAt, call.Id), CallId = call.Id, Status = CallStatus.Scored, ScoredAt = call.ScoredAt, EndedAt = call.EndedAt }, ct);
        });
    }
}
