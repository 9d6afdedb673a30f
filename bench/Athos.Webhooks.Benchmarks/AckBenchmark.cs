using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Athos.Simulator;
using Athos.Webhooks.Cli.Runner;
using Azure.Storage.Queues;

namespace Athos.Webhooks.Benchmarks;

/// <summary>
/// The webhook ACK against its floor, a bare queue put to the same Azurite: same process, same concurrency (16), same
/// background load (the runner's queue worker consuming what the ACKs queue), in rounds that alternate between the
/// two so that neither meets a quieter or busier Azurite.
/// </summary>
internal static class AckBenchmark
{
    private const int Senders = 16;
    private const int PerRound = 40;
    private const int Rounds = 10;
    private const int Warmup = 200;

    public static async Task RunAsync()
    {
        await using var stack = await Stack.StartAsync();
        var url = LocalRunner.WebhookUrl(stack.Runner);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Senders });
        var floorQueue = new QueueClient(stack.Azurite.ConnectionString, "bench-floor", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await floorQueue.CreateIfNotExistsAsync();
        var payload = BinaryData.FromString("""{"kind":"fetch","v":1,"origin":"webhook","webhookId":"wh_bench","callId":"athos_call_bench"}""");

        var counter = 0;
        async Task WebhookAsync()
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

        async Task PutAsync() => await floorQueue.SendMessageAsync(payload);

        await Task.WhenAll(Enumerable.Range(0, Warmup).Select(_ => WebhookAsync()));
        await Task.WhenAll(Enumerable.Range(0, Warmup).Select(_ => PutAsync()));
        stack.Counter.Reset();

        var acks = new List<double>();
        var puts = new List<double>();
        TimeSpan ackTime = default, putTime = default;
        for (var round = 0; round < Rounds; round++)
        {
            // Alternate which goes first, so that a trend in Azurite's load favours neither.
            foreach (var ack in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                var (latencies, elapsed) = await RoundAsync(ack ? WebhookAsync : PutAsync);
                (ack ? acks : puts).AddRange(latencies);
                if (ack)
                {
                    ackTime += elapsed;
                }
                else
                {
                    putTime += elapsed;
                }
            }

            // The floor queue is only ever written: empty it between rounds so it never grows into Azurite's slow path.
            await floorQueue.ClearMessagesAsync();
        }

        await floorQueue.DeleteAsync();
        acks.Sort();
        puts.Sort();
        var requests = stack.Counter.Requests;
        var ackPuts = requests.Count(r => r.Method == "POST" && r.Uri.Port == stack.Azurite.QueuePort && r.Uri.AbsolutePath.EndsWith("/athos-calls/messages", StringComparison.Ordinal));
        var ledgerReads = requests.Count(r => r.Method == "GET" && r.Uri.AbsolutePath.Contains("/AthosWebhookDeliveries(", StringComparison.Ordinal));
        var ackCount = Senders * PerRound * Rounds;

        Measure.Header($"Webhook ACK against a bare queue put ({Senders} concurrent, {Rounds} alternating rounds of {Senders * PerRound} each, queue worker running)");
        Measure.Row("ACK latency p50 / p99", $"{Measure.Ms(Measure.Percentile(acks, 0.5))} / {Measure.Ms(Measure.Percentile(acks, 0.99))}");
        Measure.Row("Queue put latency p50 / p99 (the floor)", $"{Measure.Ms(Measure.Percentile(puts, 0.5))} / {Measure.Ms(Measure.Percentile(puts, 0.99))}");
        Measure.AtMost("ACK p50 ÷ put p50", Measure.Percentile(acks, 0.5) / Measure.Percentile(puts, 0.5), 1.3);
        Measure.AtMost("ACK p99 ÷ put p99", Measure.Percentile(acks, 0.99) / Measure.Percentile(puts, 0.99), 1.5);
        Measure.AtLeast("ACK throughput ÷ put throughput", (ackCount / ackTime.TotalSeconds) / (ackCount / putTime.TotalSeconds), 0.8, $"{Measure.Rate(ackCount / ackTime.TotalSeconds)} vs {Measure.Rate(ackCount / putTime.TotalSeconds)}");
        Measure.AtMost("Storage requests per ACK (queue puts + ledger reads)", (double)(ackPuts + ledgerReads) / ackCount, 1, $"{ackPuts} puts, {ledgerReads} ledger reads");
    }

    private static async Task<(List<double> Latencies, TimeSpan Elapsed)> RoundAsync(Func<Task> operation)
    {
        var latencies = new double[Senders * PerRound];
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(async worker =>
        {
            for (var i = 0; i < PerRound; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await operation();
                latencies[(worker * PerRound) + i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }));
        return ([.. latencies], total.Elapsed);
    }
}
