using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Testing;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace Athos.Webhooks.Benchmarks;

/// <summary>
/// New calls end to end, webhook first: signed deliveries ACKed by the runner, its queue worker fetching from Athos
/// (answering at once, so that storage is what bounds it) and storing. Every storage request is counted by name. The
/// storage-bound limit is measured in the same run, in rounds alternating with the pipeline's so that neither meets a
/// quieter machine: Azurite's sustained rate for the same kinds of requests at the worker's concurrency, ÷ the
/// requests a call costs.
/// </summary>
internal static class EnrichmentBenchmark
{
    private const int Rounds = 4;
    private const int CallsPerRound = 500;
    private const int Calls = Rounds * CallsPerRound;
    private const int WarmUpCalls = 100;
    private const int Senders = 16;

    public static async Task RunAsync()
    {
        await using var stack = await Stack.StartAsync();
        var url = LocalRunner.WebhookUrl(stack.Runner);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Senders });
        var worker = stack.Runner.Services.GetRequiredService<QueueOptions>();
        var concurrency = worker.BatchSize + worker.NewBatchThreshold;
        var stored = 0;

        // Warm-up, which also gives the floor its shape: the requests one new call makes.
        var warmUp = stack.Simulator.AddCalls(WarmUpCalls, DateTimeOffset.UtcNow.AddDays(-3), DateTimeOffset.UtcNow.AddDays(-2));
        stack.Counter.Reset();
        await DeliverAsync(stack, http, url, warmUp);
        await WaitDrainedAsync(stack);
        await AssertStoredAsync(stack, stored += WarmUpCalls);
        await using var floor = await StorageFloor.CreateAsync(stack.Azurite, stack.Counter.Named, WarmUpCalls);

        var calls = new List<SimulatedCall>();
        var beforeRounds = DateTimeOffset.UtcNow;
        var requests = new List<StorageRequest>();
        var fetches = 0;
        TimeSpan pipelineTime = default, pipelineBusy = default, floorTime = default, pipelineAzuriteCpu = default, floorAzuriteCpu = default, pipelineOwnCpu = default;
        long floorRequests = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var batch = stack.Simulator.AddCalls(CallsPerRound, DateTimeOffset.UtcNow.AddDays(-2 + (round * 0.25)), DateTimeOffset.UtcNow.AddDays(-1.75 + (round * 0.25)));
            calls.AddRange(batch);
            foreach (var pipeline in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                var cpu = stack.Azurite.ProcessorTime;
                var ownCpu = Process.GetCurrentProcess().TotalProcessorTime;
                if (pipeline)
                {
                    stack.Counter.Reset();
                    var fetchesBefore = stack.Simulator.Requests.DetailRequests;
                    var watch = Stopwatch.StartNew();
                    await DeliverAsync(stack, http, url, batch);
                    await WaitDrainedAsync(stack);
                    pipelineTime += watch.Elapsed;
                    await AssertStoredAsync(stack, stored += CallsPerRound);
                    pipelineAzuriteCpu += stack.Azurite.ProcessorTime - cpu;
                    pipelineOwnCpu += Process.GetCurrentProcess().TotalProcessorTime - ownCpu;
                    requests.AddRange(stack.Counter.Named);
                    pipelineBusy += stack.Counter.BusyTime;
                    fetches += stack.Simulator.Requests.DetailRequests - fetchesBefore;
                }
                else
                {
                    var (made, elapsed) = await floor.RunAsync(concurrency, TimeSpan.FromSeconds(2));
                    floorRequests += made;
                    floorTime += elapsed;
                    floorAzuriteCpu += stack.Azurite.ProcessorTime - cpu;
                }
            }
        }

        // The same calls again, as a rescan with no listed version queues them: each finds its version stored.
        stack.Counter.Reset();
        var queue = stack.Runner.Services.GetRequiredService<WorkQueue>();
        await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = Senders }, async (call, ct) =>
            await queue.EnqueueAsync(new FetchCallWorkItem { Origin = WorkOrigin.Rescan, CallId = CallId.Parse(call.Id) }, ct));
        await WaitDrainedAsync(stack);
        var unchanged = stack.Counter.Named.Where(r => !r.Target.EndsWith("/messages", StringComparison.Ordinal)).ToList();

        // The same calls again, as webhook copies that were received before the rounds and ran behind another copy of
        // their call (a backlog, a lease after a crash): a webhook id of their own, the occurredAt Athos stamped when it
        // scored them. Queued as the ACK queues them; each finds its version stored.
        stack.Counter.Reset();
        var fetchesBeforeLate = stack.Simulator.Requests.DetailRequests;
        await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = Senders }, async (call, ct) =>
            await queue.EnqueueAsync(new FetchCallWorkItem { Origin = WorkOrigin.Webhook, CallId = CallId.Parse(call.Id), WebhookId = "wh_late_" + call.Id, ContentHash = "late" + call.Id, ReceivedAt = beforeRounds, OccurredAt = call.ScoredAt }, ct));
        await WaitDrainedAsync(stack);
        var late = stack.Counter.Named.ToList();
        var lateFetches = stack.Simulator.Requests.DetailRequests - fetchesBeforeLate;

        var perCall = (double)requests.Count / Calls;
        var floorRate = floorRequests / floorTime.TotalSeconds;
        var limit = floorRate / perCall;
        var throughput = Calls / pipelineTime.TotalSeconds;

        Measure.Header($"Enrichment ({Calls} new calls, webhook first: ACK, queue worker, Athos answering at once; {Rounds} rounds alternating with the storage floor)");
        foreach (var kind in requests.GroupBy(r => r.ToString()).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            Measure.Row($"`{kind.Key}` per call", Measure.Number((double)kind.Count() / Calls));
        }

        Measure.Row("Athos detail requests per call", Measure.Number((double)fetches / Calls));
        Measure.AtMost("Storage requests per new webhook call, ACK included", perCall, 8);
        Measure.AtMost("Reads per call of an unchanged version (tables, blobs)", (double)unchanged.Count(r => r.IsRead) / Calls, 2);
        Measure.AtMost("Writes per call of an unchanged version (tables, blobs)", (double)unchanged.Count(r => !r.IsRead) / Calls, 0);
        Measure.AtMost("Athos detail requests per late webhook copy (its version already stored)", (double)lateFetches / Calls, 0);
        Measure.Row(
            "Storage requests per late webhook copy, its queue put included",
            $"{Measure.Number((double)late.Count / Calls)} ({string.Join(", ", late.GroupBy(r => r.ToString()).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => $"`{g.Key}` {Measure.Number((double)g.Count() / Calls)}"))})");
        Measure.AtMost("Athos detail fetches per version, new calls and their late copies ÷ the floor (one per version)", (double)(fetches + lateFetches) / Calls, 1);
        Measure.Row($"Azurite's sustained rate for this mix, {concurrency} concurrent (the worker's most)", $"{Measure.Rate(floorRate)} requests, Azurite CPU {floorAzuriteCpu / floorTime:P0}");
        Measure.Row("Pipeline's storage rate", $"{Measure.Rate(requests.Count / pipelineTime.TotalSeconds)} requests, Azurite CPU {pipelineAzuriteCpu / pipelineTime:P0}");
        // Little's law on both sides: the floor keeps `concurrency` requests in flight by construction.
        Measure.Row("Storage requests in flight, mean: pipeline / floor", $"{pipelineBusy / pipelineTime:0.0} / {concurrency}");
        Measure.Row("Storage request latency, mean: pipeline / floor", $"{pipelineBusy.TotalMilliseconds / requests.Count:0.0} ms / {concurrency * floorTime.TotalMilliseconds / floorRequests:0.0} ms");
        Measure.Row("This process's CPU while the pipeline ran (runner, simulator, senders)", $"{pipelineOwnCpu / pipelineTime:P0} of one core, {pipelineOwnCpu.TotalMilliseconds / Calls:0.00} ms per call; {Environment.ProcessorCount} cores");
        Measure.Row("Storage-bound limit (that rate ÷ requests per call)", Measure.Rate(limit) + " calls");
        Measure.AtLeast("Throughput ÷ storage-bound limit", throughput / limit, 0.9, $"{Measure.Rate(throughput)} calls, first delivery to last stored");
    }

    // A new call's webhook, sent as Athos scores it.
    private static async Task DeliverAsync(Stack stack, HttpClient http, Uri url, IReadOnlyList<SimulatedCall> calls) =>
        await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = Senders }, async (call, ct) =>
        {
            var body = Encoding.UTF8.GetBytes($$"""{"event":"call.scored","success":true,"callId":"{{call.Id}}","source":"roleplay","externalUserId":"{{call.ExternalUserId}}","externalAgencyId":null,"occurredAt":"{{DateTimeOffset.UtcNow:o}}","requestId":"req_bench"}""");
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("X-Athos-Signature", WebhookSigner.Header(stack.Simulator.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body));
            request.Headers.TryAddWithoutValidation("X-Athos-Webhook-Id", "wh_" + call.Id);
            using var response = await http.SendAsync(request, ct);
            if ((int)response.StatusCode != 202)
            {
                throw new InvalidOperationException($"webhook answered {(int)response.StatusCode}");
            }
        });

    private static async Task AssertStoredAsync(Stack stack, int expected)
    {
        var table = new TableClient(stack.Azurite.ConnectionString, StorageNames.CallsTable);
        var stored = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(select: ["PartitionKey"]))
        {
            stored++;
        }

        if (stored != expected)
        {
            throw new InvalidOperationException($"{stored} of {expected} calls stored");
        }
    }

    // Empty and nothing in flight (the count includes invisible messages): the runner deletes a message once its item is done.
    private static async Task WaitDrainedAsync(Stack stack)
    {
        var queue = new QueueClient(stack.Azurite.ConnectionString, StorageNames.CallsQueue);
        while ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
        {
            await Task.Delay(20);
        }
    }
}
