using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Athos.Simulator;
using Athos.Webhooks.Functions;
using Athos.Webhooks.Hosting;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Webhooks;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Tests.Webhooks;

/// <summary>The webhook function class against real Azurite; signatures made by the simulator's independent signer.</summary>
public sealed class WebhookReceiverTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string Secret = "whsec_current0000000000000000000000000";
    private const string Previous = "whsec_previous000000000000000000000000";

    private AthosSimulator _simulator = null!;
    private TestApp _app = null!;
    private TestQueues _queues = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 21, WebhookSecret = Secret });
        _app = await StartAppAsync();
        _queues = new TestQueues(storage.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task A_genuine_delivery_is_accepted_with_exactly_one_message()
    {
        var call = AddScoredCall();

        var answer = await PostAsync(WebhookRequests.CallScored(call.Id, occurredAt: call.ScoredAt), webhookId: "wh_genuine1");

        Assert.Equal(new { Status = 202, StatusText = (string?)"accepted" }, new { answer.Status, answer.StatusText });
        var item = Assert.IsType<FetchCallWorkItem>(Assert.Single(await _queues.PeekAllAsync()));
        Assert.Equal(call.Id, item.CallId.Value);
        Assert.Equal("wh_genuine1", item.WebhookId);
        Assert.Equal(WorkOrigin.Webhook, item.Origin);
        Assert.Equal(call.ScoredAt, item.OccurredAt);
    }

    [Fact]
    public async Task A_redelivery_after_processing_is_acknowledged_with_one_put_and_recognised_by_the_worker_without_a_fetch()
    {
        var call = AddScoredCall();
        var body = WebhookRequests.CallScored(call.Id);
        await PostAsync(body, webhookId: "wh_twice");
        await DrainQueueAsync();

        var again = await PostAsync(body, webhookId: "wh_twice");
        var outcomes = await DrainQueueAsync();

        Assert.Equal(new { Status = 202, StatusText = (string?)"accepted" }, new { again.Status, again.StatusText });
        Assert.Equal([WorkOutcome.Duplicate], outcomes);
        Assert.Equal(1, _simulator.Requests.DetailRequestsFor(call.Id));
        var record = await _app.Get<DeliveryLedger>().FindAsync(call.Id, "wh_twice", TestContext.Current.CancellationToken);
        Assert.Equal(new { Deliveries = 2, Status = DeliveryStatus.Claimed }, new { record!.Deliveries, record.Status });
    }

    [Fact]
    public async Task A_redelivery_before_processing_queues_a_second_message_that_fetches_nothing()
    {
        var call = AddScoredCall();
        var body = WebhookRequests.CallScored(call.Id);

        var first = await PostAsync(body, webhookId: "wh_racing");
        var second = await PostAsync(body, webhookId: "wh_racing");
        var outcomes = await DrainQueueAsync();

        Assert.Equal([202, 202], new[] { first.Status, second.Status });
        Assert.Equal([WorkOutcome.Stored, WorkOutcome.Duplicate], outcomes.Order());
        Assert.Equal(1, _simulator.Requests.DetailRequestsFor(call.Id));
    }

    /// <summary>
    /// A captured delivery replayed within the signature's tolerance under 50 fresh webhook ids: each is accepted (the ACK
    /// reads nothing), and the worker recognises the signed content (t.body) it already claimed, so Athos is asked once.
    /// </summary>
    [Fact]
    public async Task One_signed_body_sent_under_fifty_webhook_ids_costs_one_Athos_fetch()
    {
        var call = AddScoredCall();
        var body = WebhookRequests.CallScored(call.Id);
        var signature = WebhookSigner.Header(Secret, Now, body);
        var first = await PostAsync(body, signature, "wh_replay00");
        var stored = await QueueDrainer.DrainAsync(_app, _queues);

        var answers = new List<int>();
        for (var i = 1; i < 50; i++)
        {
            answers.Add((await PostAsync(body, signature, $"wh_replay{i:00}")).Status);
        }

        var outcomes = await QueueDrainer.DrainAsync(_app, _queues);

        Assert.Equal(202, first.Status);
        Assert.Equal([WorkOutcome.Stored], stored);
        Assert.All(answers, status => Assert.Equal(202, status));
        Assert.Equal(1, _simulator.Requests.DetailRequestsFor(call.Id));
        Assert.Equal(Enumerable.Repeat(WorkOutcome.Replayed, 49), outcomes);
        // Athos's own retry of the one delivery (same id, t re-stamped) is still the duplicate it always was.
        var retried = await PostAsync(body, WebhookSigner.Header(Secret, Now + 1, body), "wh_replay00");
        Assert.Equal(202, retried.Status);
        Assert.Equal([WorkOutcome.Duplicate], await DrainQueueAsync());
    }

    [Fact]
    public async Task A_failed_scoring_becomes_a_scoring_failed_item_with_the_reason()
    {
        var body = WebhookRequests.CallScored("athos_call_failed123", success: false, occurredAt: DateTimeOffset.Parse("2026-06-05T14:40:54.005Z", CultureInfo.InvariantCulture));

        var answer = await PostAsync(body, webhookId: "wh_failed");

        Assert.Equal(202, answer.Status);
        var item = Assert.IsType<ScoringFailedWorkItem>(Assert.Single(await _queues.PeekAllAsync()));
        Assert.Equal(new { CallId = "athos_call_failed123", Reason = (string?)"SCORING_INCOMPLETE" }, new { CallId = item.CallId.Value, item.Reason });
        Assert.Equal("The call ended before enough of the conversation could be scored.", item.ReasonMessage);
        Assert.Equal(new { ExternalUserId = (string?)"rep_8842", ExternalAgencyId = (string?)"agency_chicago", Source = (string?)"roleplay" }, new { item.ExternalUserId, item.ExternalAgencyId, item.Source });
        Assert.Equal(DateTimeOffset.Parse("2026-06-05T14:40:54.005Z", CultureInfo.InvariantCulture), item.OccurredAt);
    }

    [Fact]
    public async Task A_failed_scoring_in_the_current_contract_keeps_both_id_families()
    {
        var body = Encoding.UTF8.GetBytes("""
            {"event":"call.scored","success":false,"callId":"athos_call_failed456","source":"real_call",
             "agentId":"athos_agent_7","agencyId":"athos_agency_2","platformAgentId":"rep_77","platformAgencyId":null,
             "occurredAt":"2026-06-05T14:40:54.005Z","requestId":"req_y","reason":"SCORING_INCOMPLETE","reasonMessage":"Too short."}
            """);

        var answer = await PostAsync(body, webhookId: "wh_failed_current");

        Assert.Equal(202, answer.Status);
        var item = Assert.IsType<ScoringFailedWorkItem>(Assert.Single(await _queues.PeekAllAsync()));
        Assert.Equal(new { ExternalUserId = (string?)"rep_77", ExternalAgencyId = (string?)null, AgentId = (string?)"athos_agent_7", AgencyId = (string?)"athos_agency_2", Source = (string?)"real_call" }, new { item.ExternalUserId, item.ExternalAgencyId, item.AgentId, item.AgencyId, item.Source });

        await DrainQueueAsync();
        var row = await new TestTables(storage.ConnectionString).MainAsync("athos_call_failed456");
        Assert.Equal(new { Status = CallStatus.Failed, ExternalUserId = (string?)"rep_77", AgentId = (string?)"athos_agent_7", SchemaVersion = CallRow.CurrentSchemaVersion }, new { row!.Status, row.ExternalUserId, row.AgentId, row.SchemaVersion });
        var (byUser, _) = await new TestTables(storage.ConnectionString).IndexRowsAsync("athos_call_failed456");
        Assert.Equal("rep_77", Assert.Single(byUser).PartitionKey);
    }

    [Fact]
    public async Task A_failed_scoring_without_a_platform_id_is_indexed_under_athos_agent_id()
    {
        var body = Encoding.UTF8.GetBytes("""
            {"event":"call.scored","success":false,"callId":"athos_call_failed789","source":"roleplay",
             "agentId":"athos_agent_9","agencyId":"athos_agency_2","platformAgentId":null,"platformAgencyId":null,
             "occurredAt":"2026-06-05T14:40:54.005Z","requestId":"req_z","reason":"SCORING_INCOMPLETE"}
            """);

        await PostAsync(body, webhookId: "wh_failed_noplatform");
        await DrainQueueAsync();

        var (byUser, _) = await new TestTables(storage.ConnectionString).IndexRowsAsync("athos_call_failed789");
        Assert.Equal("athos_agent_9", Assert.Single(byUser).PartitionKey);
    }

    [Fact]
    public async Task An_unknown_event_is_acknowledged_ignored_and_not_queued()
    {
        var body = Encoding.UTF8.GetBytes("""{"event":"call.transcribed","callId":"athos_call_abc","occurredAt":"2026-06-05T14:40:54Z","requestId":"req_x"}""");

        var answer = await PostAsync(body, webhookId: "wh_newevent");

        Assert.Equal(new { Status = 200, StatusText = (string?)"ignored" }, new { answer.Status, answer.StatusText });
        Assert.Equal(0, await _queues.CountAsync());
        var record = await _app.Get<DeliveryLedger>().FindAsync(DeliveryLedger.IgnoredPartition, "wh_newevent", TestContext.Current.CancellationToken);
        Assert.Equal(new { Status = DeliveryStatus.Ignored, Event = (string?)"call.transcribed" }, new { record!.Status, record.Event });
    }

    [Fact]
    public async Task One_changed_byte_is_an_invalid_signature()
    {
        var body = WebhookRequests.CallScored("athos_call_abc");
        var signature = WebhookSigner.Header(Secret, Now, body);
        body[20] ^= 0x20;

        var answer = await PostAsync(body, signature, "wh_tampered");

        Assert.Equal(new { Status = 401, ErrorCode = (string?)"invalid_signature" }, new { answer.Status, answer.ErrorCode });
        Assert.Equal(0, await _queues.CountAsync());
    }

    [Fact]
    public async Task The_previous_secret_is_accepted_only_while_ATHOS_WHSEC_PREVIOUS_is_set()
    {
        var body = WebhookRequests.CallScored("athos_call_rotated");
        var signedWithPrevious = WebhookSigner.Header(Previous, Now, body);

        var without = await PostAsync(body, signedWithPrevious, "wh_rotated");
        await using var rotating = await StartAppAsync(("ATHOS_WHSEC_PREVIOUS", Previous));
        var with = await PostAsync(body, signedWithPrevious, "wh_rotated", app: rotating);

        Assert.Equal(new { Status = 401, ErrorCode = (string?)"invalid_signature" }, new { without.Status, without.ErrorCode });
        Assert.Equal(202, with.Status);
        Assert.Equal(1, await _queues.CountAsync());
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public async Task A_timestamp_301_seconds_away_is_stale(int offset)
    {
        var body = WebhookRequests.CallScored("athos_call_stale");

        var answer = await PostAsync(body, WebhookSigner.Header(Secret, Now + offset, body), "wh_stale");

        Assert.Equal(new { Status = 401, ErrorCode = (string?)"stale_timestamp" }, new { answer.Status, answer.ErrorCode });
        Assert.Equal(0, await _queues.CountAsync());
    }

    [Fact]
    public async Task Two_v1_values_where_only_the_second_matches_are_accepted()
    {
        var body = WebhookRequests.CallScored("athos_call_twosigs");
        var header = $"t={Now},v1={WebhookSigner.ComputeV1("whsec_someone_else", Now, body)},v1={WebhookSigner.ComputeV1(Secret, Now, body)}";

        var answer = await PostAsync(body, header, "wh_twosigs");

        Assert.Equal(202, answer.Status);
    }

    public static TheoryData<string?, string> BadSignatureHeaders => new()
    {
        { null, "missing_signature" },
        { "", "missing_signature" },
        { "t=1780000000", "malformed_signature" },
        { "v1=" + new string('a', 64), "malformed_signature" },
        { "t=later,v1=" + new string('a', 64), "malformed_signature" },
        { "t=1,t=2,v1=" + new string('a', 64), "malformed_signature" },
        { "t=1780000000 v1=" + new string('a', 64), "malformed_signature" },
        { "sha256=" + new string('a', 64), "malformed_signature" },
        { "t=1780000000,v1=" + new string('g', 64), "malformed_signature" },
        { "t=1780000000,v1=" + new string('a', 63), "malformed_signature" },
        { "t=NOW,v1=" + new string('a', 64), "invalid_signature" },
        { "t=NOW,v2=SIG", "malformed_signature" },
        { "T=NOW,V1=SIG", "malformed_signature" },
    };

    [Theory]
    [MemberData(nameof(BadSignatureHeaders))]
    public async Task Missing_or_garbled_signature_headers_are_401(string? header, string code)
    {
        var body = WebhookRequests.CallScored("athos_call_garbled");
        header = header?.Replace("NOW", Now.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("SIG", WebhookSigner.ComputeV1(Secret, Now, body), StringComparison.Ordinal);

        var answer = await PostAsync(body, header, "wh_garbled");

        Assert.Equal(new { Status = 401, ErrorCode = (string?)code }, new { answer.Status, answer.ErrorCode });
        Assert.Equal(0, await _queues.CountAsync());
    }

    public static TheoryData<string, string?, int, string> BadPayloads => new()
    {
        { "not json at all", "application/json", 400, "invalid_json" },
        { """[{"event":"call.scored"}]""", "application/json", 400, "not_an_object" },
        { """{"event":"call.scored","success":true,"occurredAt":"2026-06-05T14:40:54Z"}""", "application/json", 400, "missing_field" },
        { """{"event":"call.scored","success":true,"callId":"athos_call_a/../b","occurredAt":"2026-06-05T14:40:54Z"}""", "application/json", 400, "invalid_call_id" },
        { """{"event":"call.scored","success":true,"callId":"someone_elses_id","occurredAt":"2026-06-05T14:40:54Z"}""", "application/json", 400, "invalid_call_id" },
        { """{"event":"call.scored","success":"yes","callId":"athos_call_a","occurredAt":"2026-06-05T14:40:54Z"}""", "application/json", 400, "invalid_field" },
        { """{"event":"call.scored","success":true,"callId":"athos_call_a","occurredAt":"yesterday"}""", "application/json", 400, "invalid_field" },
        { """{"success":true,"callId":"athos_call_a","occurredAt":"2026-06-05T14:40:54Z"}""", "application/json", 400, "missing_field" },
        { """{"event":"call.scored","success":true,"callId":"athos_call_a","occurredAt":"2026-06-05T14:40:54Z"}""", "text/plain", 415, "unsupported_media_type" },
        { """{"event":"call.scored","success":true,"callId":"athos_call_a","occurredAt":"2026-06-05T14:40:54Z"}""", null, 415, "unsupported_media_type" },
        { "BIG", "application/json", 413, "payload_too_large" },
    };

    [Theory]
    [MemberData(nameof(BadPayloads))]
    public async Task Bad_payloads_get_their_specific_4xx_and_queue_nothing(string payload, string? contentType, int status, string code)
    {
        var body = payload == "BIG"
            ? Encoding.UTF8.GetBytes("{\"event\":\"call.scored\",\"pad\":\"" + new string('x', 65 * 1024) + "\"}")
            : Encoding.UTF8.GetBytes(payload);

        var answer = await PostAsync(body, WebhookSigner.Header(Secret, Now, body), "wh_bad", contentType);

        Assert.Equal(new { Status = status, ErrorCode = (string?)code }, new { answer.Status, answer.ErrorCode });
        Assert.Equal(0, await _queues.CountAsync());
    }

    [Theory]
    [InlineData(new byte[] { 0x7B, 0x22, 0x65, 0x76, 0x65, 0x6E, 0x74, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D })]
    [InlineData(new byte[] { 0x7B, 0x22, 0x65, 0x76, 0x65, 0x6E, 0x74, 0x22, 0x3A, 0x22, 0x5C, 0x75, 0x44, 0x38, 0x30, 0x30, 0x22, 0x7D })]
    public async Task Text_that_is_not_valid_UTF_8_or_UTF_16_is_invalid_json(byte[] body)
    {
        // {"event":"<0xC3 0x28>"} and {"event":"\uD800"}: found by the mutation test as 500s before the fix.
        var answer = await PostAsync(body, WebhookSigner.Header(Secret, Now, body), "wh_badtext");

        Assert.Equal(new { Status = 400, ErrorCode = (string?)"invalid_json" }, new { answer.Status, answer.ErrorCode });
    }

    [Theory]
    [InlineData(null, "missing_webhook_id")]
    [InlineData("wh_has/slash", "invalid_webhook_id")]
    [InlineData("wh with space", "invalid_webhook_id")]
    [InlineData("signed_0123abcd", "invalid_webhook_id")]
    public async Task A_missing_or_unsafe_webhook_id_is_400(string? webhookId, string code)
    {
        var body = WebhookRequests.CallScored("athos_call_noid");

        var answer = await PostAsync(body, WebhookSigner.Header(Secret, Now, body), webhookId);

        Assert.Equal(new { Status = 400, ErrorCode = (string?)code }, new { answer.Status, answer.ErrorCode });
        Assert.Equal(0, await _queues.CountAsync());
    }

    [Fact]
    public async Task With_storage_down_the_answer_is_503_and_the_same_delivery_is_accepted_once_it_is_back()
    {
        await using var azurite = await AzuriteInstance.StartAsync(TestContext.Current.CancellationToken);
        var settings = StackSettings.For(_simulator, azurite);
        settings["ATHOS_WHSEC"] = Secret;
        await using var app = await TestApp.StartAsync(settings);
        await app.Get<StorageInitializer>().EnsureCreatedAsync(TestContext.Current.CancellationToken);
        var body = WebhookRequests.CallScored("athos_call_outage");
        var signature = WebhookSigner.Header(Secret, Now, body);

        await azurite.StopAsync();
        var during = await PostAsync(body, signature, "wh_outage", app: app);
        await azurite.RestartAsync(TestContext.Current.CancellationToken);
        await app.Get<StorageInitializer>().EnsureCreatedAsync(TestContext.Current.CancellationToken);
        var ledgerAfterOutage = await app.Get<DeliveryLedger>().FindAsync("athos_call_outage", "wh_outage", TestContext.Current.CancellationToken);
        var after = await PostAsync(body, signature, "wh_outage", app: app);

        Assert.Equal(new { Status = 503, ErrorCode = (string?)"storage_unavailable" }, new { during.Status, during.ErrorCode });
        Assert.Equal("300", during.RetryAfter);
        Assert.Null(ledgerAfterOutage);
        Assert.Equal(202, after.Status);
        Assert.Single(await new TestQueues(azurite.ConnectionString).PeekAllAsync());
    }

    [Fact]
    public async Task A_thousand_mutated_requests_never_get_a_5xx_or_queue_anything_unsigned()
    {
        var random = new Random(1234);
        var template = WebhookRequests.CallScored("athos_call_fuzz0000");
        var contentTypes = new[] { "application/json", "application/json; charset=utf-8", "text/plain", "", "application/xml", "APPLICATION/JSON" };
        var accepted = 0;

        for (var i = 0; i < 1000; i++)
        {
            var body = Mutate(template, random);
            var t = Now + random.Next(-400, 400);
            var signature = random.Next(4) switch
            {
                0 => WebhookSigner.Header(Secret, t, body),
                1 => WebhookSigner.Header(Secret, t, template),
                2 => Garble(WebhookSigner.Header(Secret, t, body), random),
                _ => random.Next(2) == 0 ? null : WebhookSigner.Header("whsec_wrong", t, body),
            };
            var webhookId = random.Next(5) == 0 ? Garble("wh_fuzz" + i, random) : "wh_fuzz" + i;

            var answer = await PostAsync(body, signature, webhookId, contentTypes[random.Next(contentTypes.Length)]);

            Assert.InRange(answer.Status, 200, 499);
            if (answer.Status == 202)
            {
                accepted++;
                Assert.True(IndependentlyVerifies(signature, body), $"request {i} was queued without a valid signature");
            }
        }

        Assert.Equal(accepted, await _queues.CountAsync());
        Assert.True(accepted > 0, "some mutations stay valid and are accepted");
    }

    [Fact]
    public async Task Logs_carry_ids_but_never_the_secret_the_signature_or_the_body()
    {
        var call = AddScoredCall();
        var body = WebhookRequests.CallScored(call.Id, webhookRequestId: "req_logged");
        var signature = WebhookSigner.Header(Secret, Now, body);

        await PostAsync(body, signature, "wh_logged");
        await PostAsync(body, "t=1,v1=" + new string('a', 64), "wh_logged");

        var logs = _app.Logs.GetSnapshot();
        var accepted = Assert.Single(logs, l => l.Id.Id == LogEvents.WebhookAccepted);
        Assert.Equal("wh_logged", accepted.GetStructuredStateValue("WebhookId"));
        Assert.Equal(call.Id, accepted.GetStructuredStateValue("CallId"));
        Assert.Equal("req_logged", accepted.GetStructuredStateValue("AthosRequestId"));
        var text = string.Join('\n', logs.Select(l => l.Message + " " + string.Join(' ', l.StructuredState?.Select(s => s.Value) ?? [])));
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(signature.Split("v1=")[1], text, StringComparison.Ordinal);
        Assert.DoesNotContain("rep_8842", text, StringComparison.Ordinal);
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private SimulatedCall AddScoredCall()
    {
        var call = _simulator.Generator.Generate(DateTimeOffset.UtcNow.AddMinutes(-10));
        call = call.State == CallState.Scored ? call : _simulator.Generator.Rescore(call, DateTimeOffset.UtcNow.AddMinutes(-9));
        _simulator.Calls.Add(call);
        return call;
    }

    private Task<TestApp> StartAppAsync(params (string Name, string? Value)[] overrides) =>
        TestApp.StartAsync(_simulator, storage.Azurite, [("ATHOS_WHSEC", Secret), .. overrides]);

    private async Task<WebhookRequests.Answer> PostAsync(byte[] body, string? signature = "SIGN", string? webhookId = "wh_test", string? contentType = "application/json", TestApp? app = null)
    {
        if (signature == "SIGN")
        {
            signature = WebhookSigner.Header(Secret, Now, body);
        }

        var request = WebhookRequests.Build(body, signature, webhookId, contentType);
        var function = new AthosWebhookFunction((app ?? _app).Get<IAthosHttpHandlers>());
        var result = await function.RunAsync(request, TestContext.Current.CancellationToken);
        return await WebhookRequests.ExecuteAsync(result, request);
    }

    private Task<List<WorkOutcome>> DrainQueueAsync() => QueueDrainer.DrainAsync(_app, _queues, parallelism: 1);

    private static bool IndependentlyVerifies(string? header, byte[] body)
    {
        if (header is null)
        {
            return false;
        }

        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToList();
        if (!long.TryParse(parts.FirstOrDefault(p => p[0] == "t")?[1], NumberStyles.None, CultureInfo.InvariantCulture, out var t) || Math.Abs(Now - t) > 300)
        {
            return false;
        }

        byte[] message = [.. Encoding.ASCII.GetBytes(t + "."), .. body];
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), message));
        return parts.Any(p => p[0] == "v1" && p[1] == expected);
    }

    private static byte[] Mutate(byte[] template, Random random)
    {
        var body = template.ToList();
        switch (random.Next(6))
        {
            case 0:
                return [.. body];
            case 1:
                body[random.Next(body.Count)] = (byte)random.Next(256);
                break;
            case 2:
                var at = random.Next(body.Count);
                body.RemoveRange(at, Math.Min(1 + random.Next(10), body.Count - at));
                break;
            case 3:
                body.InsertRange(random.Next(body.Count), Encoding.UTF8.GetBytes(new[] { "\"", "{", "}", "null", "\\u0000", "é", ",", "]" }[random.Next(8)]));
                break;
            case 4:
                return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(template).Replace("athos_call_fuzz0000", new[] { "athos_call_a/b", "", "athos_call_" + new string('x', 200), "athos_call_ok_" + random.Next(1000) }[random.Next(4)], StringComparison.Ordinal));
            default:
                return body.Take(random.Next(body.Count)).ToArray();
        }

        return [.. body];
    }

    private static string Garble(string text, Random random)
    {
        var chars = text.ToCharArray();
        var i = random.Next(chars.Length);
        chars[i] = "=,; /\\#?x0é\t"[random.Next(12)];
        return new string(chars);
    }
}
