using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Athos.Simulator;
using Athos.Webhooks.Cli.Runner;
using Azure.Storage.Queues;

namespace Athos.Webhooks.Benchmarks;

/// <summary>
/// Webhook ACK latency and throughput with 16 concurrent senders against the running local runner, beside the
/// latency of one raw queue put to the same Azurite (the floor: the ACK path's one write).
/// </summary>
internal static class AckBenchmark
{
    private const int Senders = 16;
    private const int PerSender = 250;
    private const int Warmup = 200;

    public static async Task RunAsync()
    {
        await using var stack = await Stack.StartAsync();
        var url = LocalRunner.WebhookUrl(stack.Runner);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Senders });

        // The floor: one queue put, as the ACK path makes, sequentially and 16 at a time.
        var floorQueue = new QueueClient(stack.Azurite.ConnectionString, "bench-floor", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await floorQueue.CreateIfNotExistsAsync();
        var payload = BinaryData.FromString("""{"kind":"fetch","v":1,"origin":"webhook","webhookId":"wh_bench","callId":"athos_call_bench"}""");
        for (var i = 0; i < Warmup; i++)
        {
            await floorQueue.SendMessageAsync(payload);
        }

        var floor = await TimeAllAsync(Senders, PerSender, async _ => await floorQueue.SendMessageAsync(payload));
        await floorQueue.DeleteAsync();

        // The webhook endpoint: signed call.scored deliveries, every one a new delivery id.
        var counter = 0;
        async Task SendAsync(int _)
        {
            var n = Interlocked.Increment(ref counter);
            var body = Encoding.UTF8.GetBytes($$"""{"event":"call.scored","success":true,"callId":"athos_call_bench{{n}}","source":"roleplay","externalUserId":"rep_{{n % 40}}","externalAgencyId":null,"occurredAt":"{{DateTimeOffset.UtcNow:o}}","requestId":"req_bench"}""");
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("X-Athos-Signature", WebhookSigner.Header(stack.Simulator.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body));
            request.Headers.TryAddWithoutValidation("X-Athos-Webhook-Id", $"wh_bench{n}");
            using var response = await http.SendAsync(request);
            if ((int)response.StatusCode != 202)
            {
                throw new InvalidOperationException($"webhook answered {(int)response.StatusCode}");
            }
        }

        for (var i = 0; i < Warmup; i++)
        {
            await SendAsync(i);
        }

        var writesBefore = stack.Counter.Requests.Count(r => r.Method != "GET" && r.Uri.Port == stack.Azurite.QueuePort && r.Uri.AbsolutePath.EndsWith("/athos-calls/messages", StringComparison.Ordinal));
        var ack = await TimeAllAsync(Senders, PerSender, SendAsync);
        var puts = stack.Counter.Requests.Count(r => r.Method == "POST" && r.Uri.Port == stack.Azurite.QueuePort && r.Uri.AbsolutePath.EndsWith("/athos-calls/messages", StringComparison.Ordinal)) - writesBefore;

        Measure.Header($"Webhook ACK path ({Senders} concurrent senders × {PerSender} deliveries, queue worker running)");
        Measure.Row("ACK latency p50 / p99", $"{Measure.Ms(ack.P50)} / {Measure.Ms(ack.P99)}");
        Measure.Row("ACK throughput", Measure.Rate(ack.Throughput));
        Measure.Row("Queue put to the same Azurite, p50 / p99 (floor, 16 concurrent)", $"{Measure.Ms(floor.P50)} / {Measure.Ms(floor.P99)}");
        Measure.Row("Queue put throughput (floor, 16 concurrent)", Measure.Rate(floor.Throughput));
        Measure.Row("Queue puts per accepted delivery", Measure.Number((double)puts / (Senders * PerSender)));
    }

    private static async Task<Timing> TimeAllAsync(int concurrency, int each, Func<int, Task> operation)
    {
        var latencies = new double[concurrency * each];
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            for (var i = 0; i < each; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await operation(i);
                latencies[(worker * each) + i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }));
        total.Stop();
        Array.Sort(latencies);
        return new Timing(Measure.Percentile(latencies, 0.5), Measure.Percentile(latencies, 0.99), latencies.Length / total.Elapsed.TotalSeconds);
    }

    private sealed record Timing(double P50, double P99, double Throughput);
}
