using Athos.Webhooks.AthosApi;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.UnitTests;

/// <summary>The queue message contract (docs/schema.md): each kind round-trips, anything else is refused with the reason.</summary>
public sealed class WorkItemSerializerTests
{
    private static readonly DateTimeOffset T = new(2026, 6, 5, 14, 40, 0, TimeSpan.Zero);

    // Keyed by a name: a theory's arguments must be public types, and the work items are internal.
    private static readonly Dictionary<string, WorkItem> Items = new()
    {
        ["a webhook fetch"] = new FetchCallWorkItem { Origin = WorkOrigin.Webhook, WebhookId = "wh_1", ReceivedAt = T, CallId = CallId.Parse("athos_call_a"), OccurredAt = T.AddSeconds(-2) },
        ["a webhook fetch queued before occurredAt was kept"] = new FetchCallWorkItem { Origin = WorkOrigin.Webhook, WebhookId = "wh_0", ReceivedAt = T, CallId = CallId.Parse("athos_call_a") },
        ["a listed fetch, deferred twice"] = new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, ReceivedAt = T, CallId = CallId.Parse("athos_call_b"), ListedScoredAt = T.AddMinutes(-1), Marked = true, Deferrals = 2 },
        ["a scoring failure"] = new ScoringFailedWorkItem { Origin = WorkOrigin.Webhook, WebhookId = "wh_2", CallId = CallId.Parse("athos_call_c"), OccurredAt = T, Reason = "SCORING_INCOMPLETE", ReasonMessage = "short", Source = "real_call", ExternalUserId = "rep_1", AgentId = "athos_agent_1", AgencyId = "athos_agency_1" },
        ["a backfill page"] = new BackfillPageWorkItem { Origin = WorkOrigin.Rescan, JobId = "rs_20260605033000", Page = 3, Source = "real_call", Cursor = "opaque" },
    };

    public static TheoryData<string> Kinds => [.. Items.Keys];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_kind_round_trips(string kind) =>
        Assert.Equal(Items[kind], WorkItemSerializer.Deserialize(WorkItemSerializer.Serialize(Items[kind])));

    [Theory]
    [InlineData("a webhook fetch", "athos_call_a")]
    [InlineData("a listed fetch, deferred twice", "athos_call_b")]
    [InlineData("a scoring failure", "athos_call_c")]
    [InlineData("a backfill page", null)]
    public void The_call_a_message_names_is_read_whatever_its_kind(string kind, string? callId) =>
        Assert.Equal(callId, WorkItemSerializer.CallIdOf(WorkItemSerializer.Serialize(Items[kind])));

    /// <summary>Erasure must find a call's messages of any kind: one added later, or of a version this build cannot read.</summary>
    [Theory]
    [InlineData("""{"v":1,"kind":"recording","origin":"webhook","callId":"athos_call_r"}""", "athos_call_r")]
    [InlineData("""{"v":2,"kind":"fetch","origin":"webhook","callId":"athos_call_v"}""", "athos_call_v")]
    [InlineData("""{"v":1,"kind":"fetch","origin":"webhook","callId":7}""", null)]
    [InlineData("""["athos_call_a"]""", null)]
    [InlineData("not json", null)]
    public void The_call_a_message_names_is_read_even_from_a_kind_this_build_does_not_know(string body, string? callId) =>
        Assert.Equal(callId, WorkItemSerializer.CallIdOf(BinaryData.FromString(body)));

    [Theory]
    [InlineData("not json", "not a valid work item")]
    [InlineData("""{"v":1,"origin":"webhook","callId":"athos_call_a"}""", "not a known kind")]
    [InlineData("""{"v":1,"kind":"teleport","origin":"webhook","callId":"athos_call_a"}""", "teleport")]
    [InlineData("""{"v":2,"kind":"fetch","origin":"webhook","callId":"athos_call_a"}""", "version 2")]
    [InlineData("""{"v":1,"kind":"fetch","origin":"webhook"}""", "callId")]
    [InlineData("""{"v":1,"kind":"fetch","origin":"webhook","callId":"athos_call_a/../x"}""", "call id may contain only")]
    [InlineData("""{"v":1,"kind":"fetch","origin":"carrier-pigeon","callId":"athos_call_a"}""", "not a valid work item")]
    [InlineData("null", "JSON literal null")]
    public void A_message_that_is_not_a_work_item_is_refused_saying_why(string body, string reason)
    {
        var error = Assert.Throws<InvalidWorkItemException>(() => WorkItemSerializer.Deserialize(BinaryData.FromString(body)));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversized_message_is_refused_unread() =>
        Assert.Contains("at most", Assert.Throws<InvalidWorkItemException>(() => WorkItemSerializer.Deserialize(BinaryData.FromBytes(new byte[WorkItemSerializer.MaxMessageBytes + 1]))).Message, StringComparison.Ordinal);
}
