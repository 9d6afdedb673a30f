using System.Diagnostics;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Azure.Data.Tables;

namespace Athos.Webhooks.Benchmarks;

/// <summary>A reconcile over 10,000 listed calls that are all present: its duration and storage requests per listed call.</summary>
internal static class ReconcileBenchmark
{
    private const int Calls = 10_000;

    public static async Task RunAsync()
    {
        await using var stack = await Stack.StartAsync();
        var calls = stack.Simulator.AddCalls(Calls, DateTimeOffset.UtcNow.AddHours(-20), DateTimeOffset.UtcNow.AddMinutes(-5));
        var table = new TableClient(stack.Azurite.ConnectionString, StorageNames.CallsTable);
        await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (call, ct) =>
            await table.AddEntityAsync(new CallRow { PartitionKey = call.Id, CallId = call.Id, ScoredAt = call.ScoredAt, EndedAt = call.EndedAt }, ct));

        stack.Counter.Reset();
        var watch = Stopwatch.StartNew();
        var run = await stack.Runner.Services.GetRequiredService<Reconciler>().RunAsync();
        watch.Stop();
        if (run.Status != ReconcileStatus.Succeeded || run.Listed != Calls || run.Queued != 0)
        {
            throw new InvalidOperationException($"unexpected run: {run}");
        }

        var requests = stack.Counter.Requests;
        var pointReads = requests.Count(r => r.Uri.Port == stack.Azurite.TablePort && r.Method == "GET" && r.Uri.AbsolutePath.Contains("/AthosCalls(", StringComparison.Ordinal));
        Measure.Header($"Reconcile over {Calls:N0} listed calls, all present (parallelism 16)");
        Measure.Row("Duration", $"{watch.Elapsed.TotalSeconds:0.00} s ({Measure.Rate(Calls / watch.Elapsed.TotalSeconds)} listed calls)");
        Measure.Row("List requests", run.AthosRequests.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Measure.Row("AthosCalls point reads per listed call", Measure.Number((double)pointReads / Calls));
        Measure.Row("All storage requests per listed call (reads, state, lease)", Measure.Number((double)requests.Count / Calls));
        Measure.Row("Queue puts", "0");
    }
}
