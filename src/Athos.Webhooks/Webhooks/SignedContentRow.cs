using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Webhooks;

/// <summary>
/// The signed content of a delivery, claimed beside its <see cref="DeliveryRecord"/> in <c>AthosWebhookDeliveries</c>
/// (<c>PartitionKey</c> = call id, <c>RowKey</c> = <c>signed_</c> + SHA-256 of <c>t.body</c>): a second delivery of the
/// same signed bytes under another webhook id is a replay (<see cref="DeliveryLedger.ClaimAsync"/>).
/// </summary>
internal sealed class SignedContentRow : TableRow
{
    public const string KeyPrefix = "signed_";

    public string? CallId { get; set; }

    /// <summary>The webhook id that claimed this content first.</summary>
    public string? WebhookId { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>When the content arrived; the purge reads it, as for every row of the table.</summary>
    public DateTimeOffset LastReceivedAt { get; set; }

    public static SignedContentRow For(string callId, string contentHash, string webhookId, DateTimeOffset receivedAt) => new()
    {
        PartitionKey = callId,
        RowKey = KeyPrefix + contentHash,
        CallId = callId,
        WebhookId = webhookId,
        ReceivedAt = receivedAt,
        LastReceivedAt = receivedAt,
    };
}
