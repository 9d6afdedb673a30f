using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Webhooks;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Athos.Webhooks.Tests.Webhooks;

/// <summary>The refusal log's minute: the first record at once, the count at the minute's end, and at shutdown.</summary>
public sealed class RefusalLogTests
{
    [Fact]
    public void A_minute_of_refusals_is_its_first_record_then_one_count_and_a_new_minute_starts_again()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logger = new FakeLogger<WebhookReceiver>();
        using var log = new RefusalLog(clock, logger);

        for (var i = 0; i < 5; i++)
        {
            log.Refused(401, "missing_signature", "wh_" + i);
        }

        log.Refused(413, "payload_too_large", null);
        clock.Advance(RefusalLog.Interval);
        log.Refused(401, "missing_signature", "wh_next");

        Assert.Equal(
            [(LogEvents.WebhookRejected, "missing_signature", "wh_0"), (LogEvents.WebhookRejected, "payload_too_large", null), (LogEvents.WebhookRejectedMore, "missing_signature", null), (LogEvents.WebhookRejected, "missing_signature", "wh_next")],
            logger.Collector.GetSnapshot().Select(r => (r.Id.Id, r.GetStructuredStateValue("ErrorCode"), r.GetStructuredStateValue("WebhookId"))));
        Assert.Equal("4", logger.Collector.GetSnapshot()[2].GetStructuredStateValue("Refused"));
    }

    [Fact]
    public void At_shutdown_the_open_minutes_are_reported_rather_than_lost()
    {
        var logger = new FakeLogger<WebhookReceiver>();
        var log = new RefusalLog(new FakeTimeProvider(DateTimeOffset.UtcNow), logger);
        for (var i = 0; i < 3; i++)
        {
            log.Refused(401, "invalid_signature", null);
        }

        log.Dispose();

        var more = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == LogEvents.WebhookRejectedMore);
        Assert.Equal("2", more.GetStructuredStateValue("Refused"));
    }
}
