using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Athos.Simulator;
using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Webhooks;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace Athos.Webhooks.Benchmarks;

/// <summary>
/// A shift's end: 5,000 signed webhooks for new calls over 128 connections at once against one runner, its queue worker
/// storing them meanwhile. Every answer must be a 202 (a 5xx is a delivery Athos retries once, then drops). Its floor
/// is the same burst of bare queue puts to the same Azurite (what the ACK does at the least), run first on a quiet
/// Azurite; the time until every call is stored is set against that burst's duration.
/// </summary>
internal static class BurstBenchmark
{
    /// <summary>How many webhooks: <c>ATHOS_BURST_WEBHOOKS</c>, else the 5,000.</summary>
    private static readonly int Webhooks = int.TryParse(Environment.GetEnvironmentVariable("ATHOS_BURST_WEBHOOKS"), out var count) && count > 0 ? count : 5_000;

    private const int Connections = 128;
    private const int WarmUp = 200;

    public static async Task RunAsync()
    {
        await using var stack = await Stack.StartAsync();
        var url = LocalRunner.WebhookUrl(stack.Runner);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Connections });
        var floorQueue = new QueueClient(stack.Azurite.ConnectionString, "bench-burst-floor", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await floorQueue.CreateIfNotExistsAsync();
        var payload = BinaryData.FromString("""{"kind":"fetch","v":1,"origin":"webhook","webhookId":"wh_bench","callId":"athos_call_bench"}""");

        // Warm-up (JIT, connections, the worker's first batches): its calls are stored before the burst starts.
        var warmUp = stack.Simulator.AddCalls(WarmUp, DateTimeOffset.UtcNow.AddDays(-3), DateTimeOffset.UtcNow.AddDays(-2));
        if ((await BurstAsync(warmUp.Count, i => SendAsync(http, url, stack.Simulator, warmUp[i]))).Statuses.Any(s => s != 202))
        {
            throw new InvalidOperationException("the runner refused a warm-up webhook");
        }

        await BurstAsync(WarmUp, _ => PutAsync(floorQueue, payload));
        await WaitStoredAsync(stack, WarmUp);
        await floorQueue.ClearMessagesAsync();
        Progress("warm-up done");

        var puts = await BurstAsync(Webhooks, _ => PutAsync(floorQueue, payload));
        await floorQueue.DeleteAsync();
        Progress($"put burst done in {puts.Elapsed.TotalSeconds:0.0} s");

        var calls = stack.Simulator.AddCalls(Webhooks, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMinutes(-5));
        var sinceBurst = Stopwatch.StartNew();
        var acks = await BurstAsync(Webhooks, i => SendAsync(http, url, stack.Simulator, calls[i]));
        Progress($"webhook burst done in {acks.Elapsed.TotalSeconds:0.0} s");
        // A refused webhook queued nothing: its call is not waited for (the 5xx goal below fails the run).
        await WaitStoredAsync(stack, WarmUp + acks.Statuses.Count(s => s == 202));
        var stored = sinceBurst.Elapsed;

        var serverErrors = acks.Statuses.Count(s => s >= 500);
        Measure.Header($"Burst: {Webhooks:N0} signed webhooks over {Connections} connections at once against one runner (queue worker storing meanwhile), against the same burst of bare queue puts");
        Measure.Row("Answers", string.Join(", ", acks.Statuses.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Key} ×{g.Count()}")));
        Measure.AtMost("5xx answers", serverErrors, 0);
        Measure.Row("ACK latency p50 / p99", $"{Measure.Ms(Measure.Percentile(acks.Latencies, 0.5))} / {Measure.Ms(Measure.Percentile(acks.Latencies, 0.99))}");
        Measure.Row("Queue put latency p50 / p99 (the floor)", $"{Measure.Ms(Measure.Percentile(puts.Latencies, 0.5))} / {Measure.Ms(Measure.Percentile(puts.Latencies, 0.99))}");
        Measure.Row("ACK p50 ÷ put p50", Measure.Number(Measure.Percentile(acks.Latencies, 0.5) / Measure.Percentile(puts.Latencies, 0.5)));
        Measure.Row("ACK p99 ÷ put p99", Measure.Number(Measure.Percentile(acks.Latencies, 0.99) / Measure.Percentile(puts.Latencies, 0.99)));
        Measure.Row("ACK throughput ÷ put throughput", $"{Measure.Number(puts.Elapsed / acks.Elapsed)} ({Measure.Rate(Webhooks / acks.Elapsed.TotalSeconds)} vs {Measure.Rate(Webhooks / puts.Elapsed.TotalSeconds)})");
        Measure.Row("Burst start to every call stored ÷ the put burst's duration", $"{Measure.Number(stored / puts.Elapsed)} ({stored.TotalSeconds:0.0} s vs {puts.Elapsed.TotalSeconds:0.0} s)");
    }

    // Where a long run is, on standard error (the tables go to standard output).
    private static void Progress(string what) => Console.Error.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} burst: {what}");

    /// <summary>Runs <paramref name="count"/> operations, <see cref="Connections"/> at a time; each one's latency (sorted), answer and the whole burst's duration.</summary>
    private static async Task<(List<double> Latencies, List<int> Statuses, TimeSpan Elapsed)> BurstAsync(int count, Func<int, Task<int>> operation)
    {
        var latencies = new double[count];
        var statuses = new int[count];
        var next = -1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                var start = Stopwatch.GetTimestamp();
                statuses[i] = await operation(i);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }));
        var elapsed = total.Elapsed;
        return ([.. latencies.Order()], [.. statuses], elapsed);
    }

    // A new call's webhook as Athos sends it: signed with the deployment's secret over the exact bytes sent.
    private static async Task<int> SendAsync(HttpClient http, Uri url, AthosSimulator simulator, SimulatedCall call)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"event":"call.scored","success":true,"callId":"{{call.Id}}","source":"roleplay","externalUserId":"{{call.ExternalUserId}}","externalAgencyId":null,"occurredAt":"{{DateTimeOffset.UtcNow:o}}","requestId":"req_burst"}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.CreateHeader(simulator.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body));
        request.Headers.TryAddWithoutValidation(WebhookSigner.WebhookIdHeader, "wh_" + call.Id);
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }

    private static async Task<int> PutAsync(QueueClient queue, BinaryData payload) =>
        (await queue.SendMessageAsync(payload)).GetRawResponse().Status;

    // Every item worked off (the count includes invisible messages: the runner deletes a message once its item is
    // done), then every call's row is there. Polled every half second: Azurite counts a queue's messages by scanning
    // them, and thousands are queued here.
    private static async Task WaitStoredAsync(Stack stack, int expected)
    {
        var queue = new QueueClient(stack.Azurite.ConnectionString, StorageNames.CallsQueue);
        while ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
        {
            await Task.Delay(500);
        }

        var stored = 0;
        await foreach (var _ in new TableClient(stack.Azurite.ConnectionString, StorageNames.CallsTable).QueryAsync<TableEntity>(select: ["PartitionKey"]))
        {
            stored++;
        }

        if (stored != expected)
        {
            throw new InvalidOperationException($"{stored} of {expected} calls stored");
        }
    }
}
