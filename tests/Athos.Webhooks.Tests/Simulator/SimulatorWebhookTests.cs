using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Athos.Simulator;
using Athos.Webhooks.Tests.Fixtures;

namespace Athos.Webhooks.Tests.Simulator;

/// <summary>The simulator's webhook deliveries: signature bytes, retry, failed-scoring events, injected faults.</summary>
public sealed class SimulatorWebhookTests : IAsyncLifetime
{
    private AthosSimulator _simulator = null!;
    private CapturingReceiver _receiver = null!;

    public async ValueTask InitializeAsync()
    {
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions
        {
            Seed = 11,
            WebhookSecret = "whsec_c2VjcmV0LXRoYXQtbG9va3MtYmFzZTY0",
            WebhookRetryDelay = TimeSpan.FromMilliseconds(300),
            WebhookTimeout = TimeSpan.FromMilliseconds(500),
        });
        _receiver = await CapturingReceiver.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _simulator.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task The_signature_is_an_HMAC_of_the_literal_body_bytes_keyed_with_the_whole_secret()
    {
        // Non-ASCII text, a tab, CRLF and odd spacing: a re-serialisation would change these bytes.
        var body = Encoding.UTF8.GetBytes("{ \"event\" :\t\"call.scored\",\r\n  \"note\": \"Prospect said “no” — très bien ✓\" ,\"n\":1.50 }");
        const long Timestamp = 1780000000;

        await _simulator.Webhooks.SendAsync(_receiver.Url, "wh_fixed", body, Timestamp, TestContext.Current.CancellationToken);

        var request = Assert.Single(_receiver.Requests);
        Assert.Equal(body, request.Body);
        var message = Encoding.ASCII.GetBytes("1780000000.").Concat(body).ToArray();
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("whsec_c2VjcmV0LXRoYXQtbG9va3MtYmFzZTY0"), message));
        Assert.Equal($"t=1780000000,v1={expected}", request.Headers["X-Athos-Signature"]);
        Assert.Equal("wh_fixed", request.Headers["X-Athos-Webhook-Id"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scored_call_is_delivered_as_a_signed_call_scored_event()
    {
        var call = ScoredCall();

        var delivery = await _simulator.Webhooks.DeliverAsync(call, _receiver.Url, TestContext.Current.CancellationToken);

        Assert.True(delivery.Acked);
        var request = Assert.Single(_receiver.Requests);
        using var json = JsonDocument.Parse(request.Body);
        var root = json.RootElement;
        Assert.Equal("call.scored", root.GetProperty("event").GetString());
        Assert.True(root.GetProperty("success").GetBoolean());
        Assert.Equal(call.Id, root.GetProperty("callId").GetString());
        Assert.Equal(call.ExternalUserId, root.GetProperty("externalUserId").GetString());
        Assert.StartsWith("req_", root.GetProperty("requestId").GetString(), StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("occurredAt").GetString(), CultureInfo.InvariantCulture, out _));
        Assert.False(root.TryGetProperty("reason", out _));
        Assert.Equal(delivery.WebhookId, request.Headers["X-Athos-Webhook-Id"]);
        Assert.Matches("^wh_[A-Za-z0-9_-]+$", delivery.WebhookId);
        var t = long.Parse(request.Headers["X-Athos-Signature"].Split(',')[0][2..], CultureInfo.InvariantCulture);
        Assert.Equal(WebhookSigner.Header(_simulator.WebhookSecret, t, request.Body), request.Headers["X-Athos-Signature"]);
    }

    [Fact]
    public async Task A_failed_scoring_is_delivered_with_success_false_and_the_reason()
    {
        var call = ScoredCall() with { State = CallState.Failed, ScoredAt = null, FailureReason = "SCORING_INCOMPLETE", FailureMessage = "Too short to score." };

        await _simulator.Webhooks.DeliverAsync(call, _receiver.Url, TestContext.Current.CancellationToken);

        using var json = JsonDocument.Parse(Assert.Single(_receiver.Requests).Body);
        Assert.False(json.RootElement.GetProperty("success").GetBoolean());
        Assert.Equal("SCORING_INCOMPLETE", json.RootElement.GetProperty("reason").GetString());
        Assert.Equal("Too short to score.", json.RootElement.GetProperty("reasonMessage").GetString());
    }

    [Fact]
    public async Task A_non_2xx_answer_is_retried_once_with_the_same_id_and_body_then_dropped()
    {
        _receiver.Answer = _ => Task.FromResult(500);

        var delivery = await _simulator.Webhooks.DeliverAsync(ScoredCall(), _receiver.Url, TestContext.Current.CancellationToken);

        Assert.False(delivery.Acked);
        Assert.Equal([1, 2], delivery.Attempts.Select(a => a.Number));
        var requests = _receiver.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal(requests[0].Body, requests[1].Body);
        Assert.Equal(requests[0].Headers["X-Athos-Webhook-Id"], requests[1].Headers["X-Athos-Webhook-Id"]);
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromMilliseconds(290), "the retry waits for the configured delay");
    }

    [Fact]
    public async Task Several_targets_take_the_posts_in_turn_the_retry_going_to_the_next()
    {
        await using var other = await CapturingReceiver.StartAsync();
        var targets = new WebhookTargets([_receiver.Url, other.Url]);
        _receiver.Answer = n => Task.FromResult(n == 1 ? 503 : 200);

        var refused = await _simulator.Webhooks.DeliverAsync(ScoredCall(), targets, TestContext.Current.CancellationToken);
        var next = await _simulator.Webhooks.DeliverAsync(ScoredCall(), targets, TestContext.Current.CancellationToken);

        // The first POST to the first target (503), its retry to the second, then the next delivery's POST to the first again.
        Assert.Equal(new int?[] { 503, 200 }, refused.Attempts.Select(a => a.Status));
        Assert.Equal(new[] { refused.WebhookId, next.WebhookId }, _receiver.Requests.Select(r => r.Headers["X-Athos-Webhook-Id"]));
        Assert.Equal(refused.WebhookId, Assert.Single(other.Requests).Headers["X-Athos-Webhook-Id"]);
    }

    [Fact]
    public async Task A_receiver_that_does_not_answer_in_time_gets_the_retry()
    {
        _receiver.Answer = async n =>
        {
            if (n == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            }

            return 202;
        };

        var delivery = await _simulator.Webhooks.DeliverAsync(ScoredCall(), _receiver.Url, TestContext.Current.CancellationToken);

        Assert.True(delivery.Acked);
        Assert.Null(delivery.Attempts[0].Status);
        Assert.Contains("no answer", delivery.Attempts[0].Error, StringComparison.Ordinal);
        Assert.Equal(202, delivery.Attempts[1].Status);
    }

    [Fact]
    public async Task Drops_and_duplicates_follow_the_seed_not_the_timing()
    {
        var calls = Enumerable.Range(0, 200).Select(_ => ScoredCall()).ToList();
        _simulator.Faults.WebhookDropRate = 0.3;
        _simulator.Faults.WebhookDuplicateRate = 0.1;

        var deliveries = await Task.WhenAll(calls.Select(c => _simulator.Webhooks.DeliverAsync(c, _receiver.Url, TestContext.Current.CancellationToken)));

        var dropped = deliveries.Count(d => d.Dropped);
        var duplicated = deliveries.Count(d => d.Attempts.Any(a => a.IsDuplicate));
        Assert.InRange(dropped, 40, 80);
        Assert.InRange(duplicated, 5, 30);
        Assert.Equal(deliveries.Sum(d => d.Attempts.Count), _receiver.Requests.Count);

        // Another simulator with the same seed makes the same calls and the same decisions, delivered in another order.
        await using var twin = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 11 }, cancellationToken: TestContext.Current.CancellationToken);
        twin.Faults.WebhookDropRate = 0.3;
        twin.Faults.WebhookDuplicateRate = 0.1;
        var twinCalls = Enumerable.Range(0, 200).Select(_ => ScoredCall(twin)).ToList();
        var twinDeliveries = new List<WebhookDelivery>();
        foreach (var call in twinCalls)
        {
            twinDeliveries.Add(await twin.Webhooks.DeliverAsync(call, _receiver.Url, TestContext.Current.CancellationToken));
        }

        Assert.Equal(calls.Select(c => c.Id), twinCalls.Select(c => c.Id));
        Assert.Equal(deliveries.Where(d => d.Dropped).Select(d => d.CallId), twinDeliveries.Where(d => d.Dropped).Select(d => d.CallId));
        Assert.Equal(deliveries.Where(d => d.Attempts.Count > 1).Select(d => d.CallId), twinDeliveries.Where(d => d.Attempts.Count > 1).Select(d => d.CallId));
    }

    [Fact]
    public async Task Scoring_a_call_delivers_its_webhook_to_the_target()
    {
        _simulator.Webhooks.Target = _receiver.Url;

        var added = _simulator.AddCalls(5, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow);
        await _simulator.Webhooks.WhenIdleAsync(TestContext.Current.CancellationToken);

        Assert.Equal(added.Select(c => c.Id).Order(), _simulator.Webhooks.Deliveries.Select(d => d.CallId).Order());
        Assert.Equal(5, _receiver.Requests.Count);
    }

    private SimulatedCall ScoredCall() => ScoredCall(_simulator);

    private static SimulatedCall ScoredCall(AthosSimulator simulator)
    {
        var call = simulator.Generator.Generate(DateTimeOffset.UtcNow.AddMinutes(-5));
        return call.State == CallState.Scored ? call : simulator.Generator.Rescore(call, DateTimeOffset.UtcNow);
    }
}
