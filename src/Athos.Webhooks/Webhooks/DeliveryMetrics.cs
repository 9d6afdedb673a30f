using Athos.Webhooks.Telemetry;

namespace Athos.Webhooks.Webhooks;

/// <summary>How a webhook delivery is tagged on the meter.</summary>
internal static class DeliveryMetrics
{
    /// <summary>A webhook delivery was answered.</summary>
    public static void DeliveryAnswered(this AthosMetrics metrics, WebhookResult outcome, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(outcome);
        metrics.DeliveryAnswered(OutcomeOf(outcome), outcome.StatusCode, elapsed);
    }

    /// <summary>The outcome tag of a delivery: its status (<c>accepted</c>, …) or, for an error, its code.</summary>
    internal static string OutcomeOf(WebhookResult outcome) => outcome.Status ?? outcome.Error?.Code ?? "unknown";
}
