using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Webhooks;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>
/// The real pipeline (the local runner's Kestrel and queue worker in this process, or the real Functions host under
/// <c>func start</c> with <c>ATHOS_E2E_HOST=functions</c>; the simulator delivering signed webhooks with faults, Azurite),
/// run once by <see cref="FaultyDayScenario"/>; each test states one thing that must hold after it.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class EndToEndTests(FaultyDayScenario day) : IClassFixture<FaultyDayScenario>
{
    [Fact]
    public void Every_scored_call_is_stored_once_with_the_latest_score_Athos_gave()
    {
        foreach (var call in day.Scored)
        {
            var row = day.Rows[call.Id];
            Assert.Equal(new { Status = CallStatus.Scored, call.ScoredAt, call.OverallScore }, new { row.Status, row.ScoredAt, row.OverallScore });
        }

        Assert.Equal(day.Rows.Count, day.DayIndexRows);
    }

    [Fact]
    public void A_failed_call_is_stored_when_its_webhook_was_acknowledged_and_absent_when_dropped()
    {
        Assert.NotEmpty(day.Failed);
        Assert.All(day.Failed, call => Assert.Equal(day.LastDelivery[call.Id].Acked, day.Rows.TryGetValue(call.Id, out var row) && row.Status == CallStatus.Failed));
        Assert.Equal(day.Scored.Count + day.Failed.Count(c => day.LastDelivery[c.Id].Acked), day.Rows.Count);
    }

    [Fact]
    public void One_reconcile_recovers_exactly_the_calls_whose_latest_webhook_was_never_acknowledged()
    {
        Assert.Equal(ReconcileOutcome.Succeeded, day.Reconcile.Status);
        Assert.Equal(day.Scored.Count(c => !day.LastDelivery[c.Id].Acked), day.Reconcile.Queued);
        Assert.InRange(day.Reconcile.Queued, 60, 160);
    }

    [Fact]
    public void Every_attempt_is_answered_202_or_503_and_every_acknowledgement_is_a_202()
    {
        var statuses = day.Attempts.GroupBy(a => a.Attempt.Status?.ToString() ?? a.Attempt.Error).Select(g => $"{g.Key} ×{g.Count()}");
        Assert.True(day.Attempts.All(a => a.Attempt.Status is 202 or 503), "every attempt was answered 202 or 503: " + string.Join(", ", statuses));
        Assert.All(day.Attempts.Where(a => a.Attempt.Acked), a => Assert.Equal(202, a.Attempt.Status));
    }

    [Fact]
    public void The_ledger_has_one_claimed_row_per_acknowledged_delivery_counting_its_arrivals()
    {
        var acked = day.Attempts.Where(a => a.Attempt.Acked).GroupBy(a => a.WebhookId).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(acked.Keys.Order(), day.Ledger.Keys.Order());
        Assert.All(acked, a => Assert.Equal(a.Value, day.Ledger[a.Key].Deliveries));
        Assert.All(day.Ledger.Values, r => Assert.Equal(new { Status = DeliveryStatus.Claimed, LastError = (string?)null }, new { r.Status, r.LastError }));
    }

    [Fact]
    public void Duplicate_deliveries_cause_no_second_fetch_from_Athos()
    {
        Assert.True(day.Attempts.Count(a => a.Attempt.IsDuplicate) > 20, "duplicates were injected");
        Assert.All(day.Scored, call => Assert.InRange(day.DetailsServed[call.Id], 1, day.Rescored.Contains(call.Id) ? 2 : 1));
    }

    [Fact]
    public void Each_202_and_each_reconciled_call_is_one_queue_put_and_nothing_is_poisoned()
    {
        // The Functions host's storage requests cannot be counted from here; the ledger test above holds its deliveries.
        if (day.QueuePuts is { } puts)
        {
            Assert.Equal(day.Attempts.Count(a => a.Attempt.Status == 202) + day.Reconcile.Queued, puts);
        }

        Assert.Equal(0, day.PoisonMessages);
    }
}
