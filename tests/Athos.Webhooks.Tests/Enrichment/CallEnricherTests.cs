using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Functions;
using Athos.Webhooks.Hosting;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Webhooks;
using Athos.Webhooks.WorkItems;
using Azure;
using Azure.Core;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace Athos.Webhooks.Tests.Enrichment;

/// <summary>Work items become rows and blobs: real Azurite, the simulator over HTTP.</summary>
public sealed class CallEnricherTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private EnrichmentStack _stack = null!;

    public async ValueTask InitializeAsync() => _stack = await EnrichmentStack.StartAsync(storage, seed: 33);

    public ValueTask DisposeAsync() => _stack.DisposeAsync();

    [Fact]
    public async Task A_fetch_item_produces_three_rows_and_the_blob_equal_to_the_detail()
    {
        var call = _stack.AddScoredCall();

        var outcome = await _stack.ProcessAsync(Fetch(call.Id));

        Assert.Equal(WorkOutcome.Stored, outcome);
        var detail = await FetchRawDetailAsync(call.Id);
        var main = await _stack.Tables.MainAsync(call.Id);
        AssertColumnsEqual(detail, main!, withScoreJson: true);
        Assert.Equal(call.Id, main!.PartitionKey);
        Assert.Equal(string.Empty, main.RowKey);

        var (byUser, byDay) = await _stack.Tables.IndexRowsAsync(call.Id);
        var userRow = Assert.Single(byUser);
        var dayRow = Assert.Single(byDay);
        Assert.Equal(call.ExternalUserId, userRow.PartitionKey);
        Assert.Equal(call.EndedAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), dayRow.PartitionKey);
        var expectedRowKey = (DateTime.MaxValue.Ticks - call.EndedAt.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture) + "_" + call.Id;
        Assert.Equal(expectedRowKey, userRow.RowKey);
        Assert.Equal(expectedRowKey, dayRow.RowKey);
        AssertColumnsEqual(detail, userRow, withScoreJson: false);
        AssertColumnsEqual(detail, dayRow, withScoreJson: false);

        Assert.Equal(detail.Bytes, await _stack.Tables.BlobAsync(call.Id));
    }

    [Fact]
    public async Task The_same_item_three_times_gives_the_same_rows_and_the_last_run_writes_nothing()
    {
        var call = _stack.AddScoredCall();
        await _stack.ProcessAsync(Fetch(call.Id));
        await _stack.ProcessAsync(Fetch(call.Id));
        var before = await _stack.SnapshotAsync(call.Id);

        _stack.Counter.Reset();
        var outcome = await _stack.ProcessAsync(Fetch(call.Id));

        Assert.Equal(WorkOutcome.Unchanged, outcome);
        Assert.Equal(0, _stack.Counter.TableWrites(storage.Azurite.TablePort));
        Assert.Equal(0, _stack.Counter.Requests.Count(r => r.Uri.Port == storage.Azurite.BlobPort));
        // The main row, and the point read that makes sure its version's change was appended (docs/performance.md).
        Assert.Equal(["GET AthosCalls", "GET AthosCallChanges"], _stack.Counter.Requests.Select(r => StorageRequest.Of(r.Method, r.Uri).ToString()));
        Assert.Equal(before, await _stack.SnapshotAsync(call.Id));
    }

    [Fact]
    public async Task A_newer_version_processed_before_an_older_one_is_kept()
    {
        var original = _stack.AddScoredCall();
        var rescored = _stack.Simulator.Rescore(original.Id, original.ScoredAt!.Value.AddHours(2));
        await _stack.ProcessAsync(Fetch(original.Id));

        _stack.Simulator.Calls.Update(original.Id, _ => original);
        var outcome = await _stack.ProcessAsync(Fetch(original.Id));

        Assert.Equal(WorkOutcome.Unchanged, outcome);
        var main = await _stack.Tables.MainAsync(original.Id);
        Assert.Equal(new { ScoredAt = rescored.ScoredAt, OverallScore = rescored.OverallScore }, new { main!.ScoredAt, main.OverallScore });
        var (byUser, byDay) = await _stack.Tables.IndexRowsAsync(original.Id);
        Assert.Equal(rescored.OverallScore, Assert.Single(byUser).OverallScore);
        Assert.Equal(rescored.OverallScore, Assert.Single(byDay).OverallScore);
        using var blob = JsonDocument.Parse(await _stack.Tables.BlobAsync(original.Id));
        Assert.Equal(rescored.OverallScore, blob.RootElement.GetProperty("score").GetProperty("overallScore").GetDouble());
    }

    [Fact]
    public async Task A_rescore_updates_every_row()
    {
        var call = _stack.AddScoredCall();
        await _stack.ProcessAsync(Fetch(call.Id));

        var rescored = _stack.Simulator.Rescore(call.Id, call.ScoredAt!.Value.AddMinutes(30));
        var outcome = await _stack.ProcessAsync(Fetch(call.Id));

        Assert.Equal(WorkOutcome.Stored, outcome);
        var detail = await FetchRawDetailAsync(call.Id);
        AssertColumnsEqual(detail, (await _stack.Tables.MainAsync(call.Id))!, withScoreJson: true);
        var (byUser, byDay) = await _stack.Tables.IndexRowsAsync(call.Id);
        AssertColumnsEqual(detail, Assert.Single(byUser), withScoreJson: false);
        AssertColumnsEqual(detail, Assert.Single(byDay), withScoreJson: false);
        Assert.Equal(rescored.OverallScore, byDay[0].OverallScore);
    }

    [Fact]
    public async Task When_a_rescore_moves_the_rep_and_the_day_no_index_row_is_left_behind()
    {
        var call = _stack.AddScoredCall();
        await _stack.ProcessAsync(Fetch(call.Id));
        var corrected = _stack.Simulator.Calls.Update(call.Id, c => c with
        {
            ExternalUserId = "rep_corrected",
            EndedAt = c.EndedAt.AddDays(-2),
            StartedAt = c.StartedAt.AddDays(-2),
            ScoredAt = c.ScoredAt!.Value.AddHours(1),
            UpdatedAt = c.UpdatedAt.AddHours(1),
        });

        await _stack.ProcessAsync(Fetch(call.Id));

        var (byUser, byDay) = await _stack.Tables.IndexRowsAsync(call.Id);
        Assert.Equal("rep_corrected", Assert.Single(byUser).PartitionKey);
        Assert.Equal(TableKeys.Day(corrected.EndedAt), Assert.Single(byDay).PartitionKey);
        Assert.Empty(await _stack.Tables.QueryAsync(StorageNames.CallsByUserTable, $"PartitionKey eq '{call.ExternalUserId}'"));
    }

    [Fact]
    public async Task A_failure_then_a_score_ends_scored_with_the_failure_index_rows_gone()
    {
        var call = _stack.AddScoredCall();
        var failedAt = call.EndedAt.AddSeconds(40);

        var first = await _stack.ProcessAsync(Failure(call.Id, failedAt, call.ExternalUserId));
        var failedRow = await _stack.Tables.MainAsync(call.Id);
        var second = await _stack.ProcessAsync(Fetch(call.Id));

        Assert.Equal(WorkOutcome.FailureRecorded, first);
        Assert.Equal(new { Status = CallStatus.Failed, FailureReason = (string?)"SCORING_INCOMPLETE", FailedAt = (DateTimeOffset?)failedAt }, new { failedRow!.Status, failedRow.FailureReason, failedRow.FailedAt });
        Assert.Equal(WorkOutcome.Stored, second);
        var main = await _stack.Tables.MainAsync(call.Id);
        Assert.Equal(new { Status = CallStatus.Scored, FailureReason = (string?)null, FailureMessage = (string?)null }, new { main!.Status, main.FailureReason, main.FailureMessage });
        var (byUser, byDay) = await _stack.Tables.IndexRowsAsync(call.Id);
        Assert.Equal(CallStatus.Scored, Assert.Single(byUser).Status);
        Assert.Equal(TableKeys.NewestFirstRowKey(call.EndedAt, call.Id), Assert.Single(byDay).RowKey);
    }

    [Fact]
    public async Task A_failure_after_a_score_changes_nothing()
    {
        var call = _stack.AddScoredCall();
        await _stack.ProcessAsync(Fetch(call.Id));
        var before = await _stack.SnapshotAsync(call.Id);

        _stack.Counter.Reset();
        var outcome = await _stack.ProcessAsync(Failure(call.Id, DateTimeOffset.UtcNow, call.ExternalUserId));

        Assert.Equal(WorkOutcome.FailureIgnored, outcome);
        Assert.Equal(0, _stack.Counter.TableWrites(storage.Azurite.TablePort));
        Assert.Equal(before, await _stack.SnapshotAsync(call.Id));
    }

    [Fact]
    public async Task CALL_NOT_FOUND_completes_with_no_row_and_the_outcome_logged()
    {
        var item = Fetch("athos_call_unknown000") with { Origin = WorkOrigin.Webhook, WebhookId = "wh_unknown" };

        var outcome = await _stack.ProcessAsync(item);

        Assert.Equal(WorkOutcome.NotFound, outcome);
        Assert.Null(await _stack.Tables.MainAsync("athos_call_unknown000"));
        var record = await _stack.App.Get<DeliveryLedger>().FindAsync("athos_call_unknown000", "wh_unknown", TestContext.Current.CancellationToken);
        Assert.Equal(new { Status = DeliveryStatus.Claimed, LastError = (string?)null }, new { record!.Status, record.LastError });
        Assert.Contains(_stack.App.Logs.GetSnapshot(), l => l.Id.Id == LogEvents.WorkCallNotFound && l.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task A_rejected_api_key_throws_with_the_request_id_and_writes_nothing()
    {
        var call = _stack.AddScoredCall();
        await using var app = await _stack.StartAppAsync(("ATHOS_API_KEY", "ath_live_revoked"));
        _stack.Simulator.Options.RevokedApiKeys.Add("ath_live_revoked");

        var error = await Assert.ThrowsAsync<AthosApiException>(() => _stack.ProcessAsync(Fetch(call.Id), app));

        Assert.Equal(new { Kind = AthosErrorKind.Configuration, ErrorCode = (string?)"API_KEY_REVOKED" }, new { error.Kind, error.ErrorCode });
        Assert.Null(await _stack.Tables.MainAsync(call.Id));
        Assert.Equal(0, await _stack.Tables.CountAsync(StorageNames.CallsByDayTable));
        var log = Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == LogEvents.WorkAthosRefused);
        Assert.Equal(LogLevel.Error, log.Level);
        Assert.Equal(error.RequestId, log.GetStructuredStateValue("AthosRequestId"));
    }

    [Fact]
    public async Task Two_500s_then_a_200_is_stored()
    {
        var call = _stack.AddScoredCall();
        _stack.Simulator.Faults.FailNext(2, FaultResponse.InternalError);

        var outcome = await _stack.ProcessAsync(Fetch(call.Id));

        Assert.Equal(WorkOutcome.Stored, outcome);
        Assert.Equal(3, _stack.Simulator.Requests.DetailRequestsFor(call.Id));
        Assert.NotNull(await _stack.Tables.MainAsync(call.Id));
    }

    [Fact]
    public async Task Fifty_concurrent_items_for_one_call_leave_one_consistent_set_of_rows()
    {
        var call = _stack.AddScoredCall();

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            try
            {
                return (Outcome: (WorkOutcome?)await _stack.ProcessAsync(Fetch(call.Id)), Error: (Exception?)null);
            }
            catch (Exception ex)
            {
                return (Outcome: (WorkOutcome?)null, Error: (Exception?)ex);
            }
        }));

        // Only errors a queue retry would resolve may escape.
        Assert.All(results.Where(r => r.Error is not null), r => Assert.True(r.Error is StorageConflictException or RequestFailedException, r.Error!.ToString()));
        Assert.Single(results, r => r.Outcome == WorkOutcome.Stored);
        var detail = await FetchRawDetailAsync(call.Id);
        AssertColumnsEqual(detail, (await _stack.Tables.MainAsync(call.Id))!, withScoreJson: true);
        var (byUser, byDay) = await _stack.Tables.IndexRowsAsync(call.Id);
        AssertColumnsEqual(detail, Assert.Single(byUser), withScoreJson: false);
        AssertColumnsEqual(detail, Assert.Single(byDay), withScoreJson: false);
        Assert.Equal(detail.Bytes, await _stack.Tables.BlobAsync(call.Id));
    }

    [Fact]
    public async Task A_300_KB_transcript_and_100_KB_feedback_are_stored_and_the_blob_keeps_all_of_it()
    {
        var feedback = string.Concat(Enumerable.Repeat("Slow down before presenting the plan. ", 2800))[..100_000];
        var turns = Enumerable.Range(0, 300).Select(i => new TranscriptTurn(i % 2 == 0 ? "user" : "assistant", new string('w', 1000) + " é✓")).ToList();
        var call = _stack.Simulator.Calls.Update(_stack.AddScoredCall().Id, c => c with { Feedback = feedback, Transcript = turns });

        var outcome = await _stack.ProcessAsync(Fetch(call.Id));

        Assert.Equal(WorkOutcome.Stored, outcome);
        var main = await _stack.Tables.MainAsync(call.Id);
        Assert.Equal("Feedback,ScoreJson", main!.Truncated);
        Assert.InRange(main.Feedback!.Length, 30_000, TableLimits.MaxStringLength);
        Assert.StartsWith(main.Feedback[..^1], feedback, StringComparison.Ordinal);
        var blob = await _stack.Tables.BlobAsync(call.Id);
        Assert.True(blob!.Length > 400_000, $"blob is {blob.Length} bytes");
        using var json = JsonDocument.Parse(blob);
        Assert.Equal(feedback, json.RootElement.GetProperty("score").GetProperty("feedback").GetString());
        Assert.Equal(300, json.RootElement.GetProperty("transcript").GetArrayLength());
    }

    [Fact]
    public async Task An_oversized_score_object_is_left_to_the_blob()
    {
        var extra = JsonDocument.Parse(JsonSerializer.Serialize(new { items = Enumerable.Range(0, 4000).Select(i => $"criterion {i} met") })).RootElement.Clone();
        var call = _stack.Simulator.Calls.Update(_stack.AddScoredCall().Id, c => c with { ExtraScoreFields = new Dictionary<string, JsonElement> { ["complianceScorecard"] = extra } });

        await _stack.ProcessAsync(Fetch(call.Id));

        var main = await _stack.Tables.MainAsync(call.Id);
        Assert.Null(main!.ScoreJson);
        Assert.Equal("ScoreJson", main.Truncated);
        Assert.Equal(call.OverallScore, main.OverallScore);
        using var blob = JsonDocument.Parse(await _stack.Tables.BlobAsync(call.Id));
        Assert.Equal(4000, blob.RootElement.GetProperty("score").GetProperty("complianceScorecard").GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Transcripts_are_left_out_of_the_blob_when_ATHOS_STORE_TRANSCRIPTS_is_false()
    {
        var call = _stack.AddScoredCall();
        await using var app = await _stack.StartAppAsync(("ATHOS_STORE_TRANSCRIPTS", "false"));

        await _stack.ProcessAsync(Fetch(call.Id), app);

        using var blob = JsonDocument.Parse(await _stack.Tables.BlobAsync(call.Id));
        Assert.False(blob.RootElement.TryGetProperty("transcript", out _));
        Assert.Equal(call.Summary, blob.RootElement.GetProperty("score").GetProperty("summary").GetString());
    }

    [Fact]
    public async Task A_message_put_by_the_webhook_path_reaches_the_queue_trigger_unchanged()
    {
        var call = _stack.AddScoredCall();
        var item = new FetchCallWorkItem { Origin = WorkOrigin.Webhook, CallId = CallId.Parse(call.Id), WebhookId = "wh_roundtrip", ReceivedAt = DateTimeOffset.UtcNow };
        await _stack.App.Get<WorkQueue>().EnqueueAsync(item, TestContext.Current.CancellationToken);

        // On the queue: base64 text, as host.json's messageEncoding says.
        var raw = (await new QueueClient(storage.ConnectionString, StorageNames.CallsQueue).PeekMessageAsync(TestContext.Current.CancellationToken)).Value;
        Assert.Equal(WorkItemSerializer.Serialize(item).ToString(), Encoding.UTF8.GetString(Convert.FromBase64String(raw.Body.ToString())));

        // The host decodes it and the worker's converter builds a QueueMessage from the text: the trigger's binding type.
        var hostSide = new QueueClient(storage.ConnectionString, StorageNames.CallsQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var received = (await hostSide.ReceiveMessageAsync(cancellationToken: TestContext.Current.CancellationToken)).Value;
        var bound = QueuesModelFactory.QueueMessage(received.MessageId, received.PopReceipt, received.Body.ToString(), received.DequeueCount, received.NextVisibleOn, received.ExpiresOn);
        await new CallWorkFunction(_stack.App.Get<IQueueMessageProcessor>()).RunAsync(bound, TestContext.Current.CancellationToken);

        Assert.Equal(item, WorkItemSerializer.Deserialize(bound.Body));
        Assert.NotNull(await _stack.Tables.MainAsync(call.Id));
    }

    [Theory]
    [InlineData("not json", "not a valid work item")]
    [InlineData("""{"v":1,"origin":"webhook","callId":"athos_call_a"}""", "not a known kind")]
    [InlineData("""{"v":1,"kind":"teleport","origin":"webhook","callId":"athos_call_a"}""", "teleport")]
    [InlineData("""{"v":2,"kind":"fetch","origin":"webhook","callId":"athos_call_a"}""", "version 2")]
    [InlineData("""{"v":1,"kind":"fetch","origin":"webhook"}""", "callId")]
    [InlineData("""{"v":1,"kind":"fetch","origin":"webhook","callId":"athos_call_a/../x"}""", "call id may contain only")]
    public async Task A_malformed_message_is_parked_at_once_with_a_clear_error(string body, string expected)
    {
        var outcome = await _stack.App.Get<WorkItemProcessor>().ProcessAsync(BinaryData.FromString(body), "m1", 1, TestContext.Current.CancellationToken);

        Assert.Equal(WorkOutcome.Parked, outcome);
        var parked = Assert.Single(await _stack.App.Get<ParkedWork>().ListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(new { Reason = ParkReason.InvalidWorkItem, Body = body }, new { parked.Reason, Body = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(parked.Body)) });
        Assert.Contains(expected, parked.Error, StringComparison.Ordinal);
        Assert.Equal(0, _stack.Simulator.Requests.Total);
        Assert.Contains(_stack.App.Logs.GetSnapshot(), l => l.Id.Id == LogEvents.WorkMalformed && l.Level == LogLevel.Error);
    }

    private static FetchCallWorkItem Fetch(string callId) => new() { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(callId) };

    private static ScoringFailedWorkItem Failure(string callId, DateTimeOffset failedAt, string? user) => new()
    {
        Origin = WorkOrigin.Webhook,
        CallId = CallId.Parse(callId),
        OccurredAt = failedAt,
        Reason = "SCORING_INCOMPLETE",
        ReasonMessage = "Too short to score.",
        ExternalUserId = user,
        Source = "roleplay",
    };

    private async Task<RawDetail> FetchRawDetailAsync(string callId)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{_stack.Simulator.BaseUrl}/calls/{callId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _stack.Simulator.ApiKey);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        return new RawDetail(bytes, JsonDocument.Parse(bytes).RootElement.Clone());
    }

    /// <summary>Every documented column against the detail Athos (the simulator) serves.</summary>
    private static void AssertColumnsEqual(RawDetail detail, CallRow row, bool withScoreJson)
    {
        var d = detail.Json;
        var score = d.GetProperty("score");
        Assert.Equal(d.GetProperty("id").GetString(), row.CallId);
        Assert.Equal(CallStatus.Scored, row.Status);
        Assert.Equal(d.GetProperty("source").GetString(), row.Source);
        Assert.Equal(d.GetProperty("externalUserId").GetString(), row.ExternalUserId);
        Assert.Equal(d.GetProperty("externalAgencyId").GetString(), row.ExternalAgencyId);
        Assert.Equal(d.GetProperty("drillKey").GetString(), row.DrillKey);
        Assert.Equal(d.GetProperty("startedAt").GetDateTimeOffset(), row.StartedAt);
        Assert.Equal(d.GetProperty("endedAt").GetDateTimeOffset(), row.EndedAt);
        Assert.Equal(d.GetProperty("durationSec").GetInt32(), row.DurationSec);
        Assert.Equal(d.GetProperty("scoredAt").GetDateTimeOffset(), row.ScoredAt);
        Assert.Equal(score.GetProperty("overallScore").GetDouble(), row.OverallScore);
        Assert.Equal(score.GetProperty("summary").GetString(), row.Summary);
        Assert.Equal(score.GetProperty("feedback").GetString(), row.Feedback);
        Assert.Equal(d.GetProperty("updatedAt").GetDateTimeOffset(), row.AthosUpdatedAt);
        Assert.Null(row.FailureReason);
        Assert.Null(row.FailureMessage);
        Assert.NotNull(row.EnrichedAt);
        Assert.StartsWith("req_", row.AthosRequestId, StringComparison.Ordinal);
        if (withScoreJson)
        {
            Assert.Equal(score.GetRawText(), row.ScoreJson);
        }
        else
        {
            Assert.Null(row.ScoreJson);
        }
    }

    private sealed record RawDetail(byte[] Bytes, JsonElement Json);
}
