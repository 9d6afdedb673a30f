namespace Athos.Simulator;

/// <summary>One POST of a webhook and how the receiver answered it.</summary>
/// <param name="Number">1 for the delivery, 2 for Athos's single retry.</param>
/// <param name="Timestamp">The signed <c>t</c>.</param>
/// <param name="Status">The receiver's HTTP status, or <see langword="null"/> when it did not answer in time.</param>
/// <param name="ResponseBody">The receiver's answer body (first 4 KiB).</param>
/// <param name="Error">Why no answer arrived, when none did.</param>
/// <param name="Elapsed"></param>
/// <param name="IsDuplicate">An injected duplicate of an attempt.</param>
public sealed record WebhookAttempt(int Number, long Timestamp, int? Status, string? ResponseBody, string? Error, TimeSpan Elapsed, bool IsDuplicate)
{
    public bool Acked => Status is >= 200 and < 300;
}

/// <summary>Everything that happened to one webhook: dropped by fault injection, or its attempts.</summary>
/// <param name="Body">The body every attempt sent (what a later repeat of the same delivery sends again).</param>
public sealed record WebhookDelivery(string WebhookId, string CallId, bool Success, bool Dropped, IReadOnlyList<WebhookAttempt> Attempts, byte[] Body)
{
    public bool Acked => Attempts.Any(a => a.Acked);
}
