using System.Diagnostics;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace Athos.Webhooks.Benchmarks;

/// <summary>
/// Enrichment throughput through the runner's queue worker (host.json settings) with Athos answering in 50 ms, and
/// the storage requests each new call costs.
/// </summary>
internal static class EnrichmentBenchmark
{
    private const int Calls = 1_000;

    public static async Task RunAsync()
    {
        await using var stack = await Stack.StartAsync();
        stack.Simulator.Faults.Latency = TimeSpan.FromMilliseconds(50);
        var calls = stack.Simulator.AddCalls(Calls, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMinutes(-5));
        var queue = stack.Runner.Services.GetRequiredService<WorkQueue>();
        var table = new TableClient(stack.Azurite.ConnectionString, StorageNames.CallsTable);

        stack.Counter.Reset();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (call, ct) =>
            await queue.EnqueueAsync(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) }, ct));
        var enqueued = watch.Elapsed;
        var raw = new QueueClient(stack.Azurite.ConnectionString, StorageNames.CallsQueue);
        while ((await raw.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
        {
            await Task.Delay(50);
        }

        watch.Stop();
        var stored = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(select: ["PartitionKey"]))
        {
            stored++;
        }

        if (stored != Calls)
        {
            throw new InvalidOperationException($"{stored} of {Calls} calls stored");
        }

        var requests = stack.Counter.Requests;
        double PerCall(Func<(string Method, Uri Uri), bool> which) => (double)requests.Count(which) / Calls;
        var tablePort = stack.Azurite.TablePort;
        var blobPort = stack.Azurite.BlobPort;
        var queuePort = stack.Azurite.QueuePort;

        Measure.Header($"Enrichment ({Calls} fetch items through the queue worker, Athos answering in 50 ms)");
        Measure.Row("Throughput (enqueue to drained)", Measure.Rate(Calls / watch.Elapsed.TotalSeconds));
        Measure.Row("Elapsed (of which enqueuing)", $"{watch.Elapsed.TotalSeconds:0.0} s ({enqueued.TotalSeconds:0.0} s)");
        Measure.Row("Athos detail requests per call", Measure.Number((double)stack.Simulator.Requests.DetailRequests / Calls));
        Measure.Row("Table requests per new call (reads + writes)", $"{Measure.Number(PerCall(r => r.Uri.Port == tablePort))} ({Measure.Number(PerCall(r => r.Uri.Port == tablePort && r.Method == "GET"))} + {Measure.Number(PerCall(r => r.Uri.Port == tablePort && r.Method != "GET"))})");
        Measure.Row("Blob requests per new call", Measure.Number(PerCall(r => r.Uri.Port == blobPort)));
        Measure.Row("Queue requests per call (put, receive share, delete)", Measure.Number(PerCall(r => r.Uri.Port == queuePort)));
        Measure.Row("Storage requests per new call, all", Measure.Number(PerCall(_ => true)));
    }
}
