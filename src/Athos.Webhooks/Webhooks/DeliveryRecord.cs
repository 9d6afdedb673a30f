using System.Runtime.Serialization;
using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Webhooks;

/// <summary>
/// One webhook delivery id in <c>AthosWebhookDeliveries</c> (<c>PartitionKey</c> = call id, <c>RowKey</c> = webhook id):
/// what arrived, how often, which queue message claimed its work, and why the latest attempt failed, if it did.
/// </summary>
/// <remarks>
/// What the work concluded is not written back here: that would be a second ledger write per call on the hot path.
/// The outcome is in the worker's log (event 3001) and the call's own rows; rows written by earlier versions may still
/// carry <see cref="Outcome"/> and <see cref="ProcessedAt"/>.
/// </remarks>
internal sealed class DeliveryRecord : TableRow
{
    [IgnoreDataMember]
    public string WebhookId => RowKey;

    public string? CallId { get; set; }

    public string? Event { get; set; }

    public bool? Success { get; set; }

    /// <summary>The first time this id arrived.</summary>
    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>The last time this id arrived (a duplicate or Athos's retry).</summary>
    public DateTimeOffset LastReceivedAt { get; set; }

    /// <summary>How many times this id arrived.</summary>
    public int Deliveries { get; set; } = 1;

    /// <summary>See <see cref="DeliveryStatus"/>.</summary>
    public string Status { get; set; } = DeliveryStatus.Claimed;

    /// <summary>Written by earlier versions only: what processing concluded (<c>stored</c>, <c>unchanged</c>, …).</summary>
    public string? Outcome { get; set; }

    /// <summary>The queue message that owns processing, so that its own retries are not mistaken for duplicates.</summary>
    public string? MessageId { get; set; }

    /// <summary>Written by earlier versions only.</summary>
    public DateTimeOffset? ProcessedAt { get; set; }

    /// <summary>The delivery's <c>requestId</c> (Athos's support id for it).</summary>
    public string? AthosRequestId { get; set; }

    public string? LastError { get; set; }
}

/// <summary>Where a delivery stands.</summary>
internal static class DeliveryStatus
{
    /// <summary>An event type this build does not handle: acknowledged and not queued.</summary>
    public const string Ignored = "ignored";

    /// <summary>Its work item was claimed by <see cref="DeliveryRecord.MessageId"/>: later messages for the id are duplicates.</summary>
    public const string Claimed = "claimed";

    /// <summary>What earlier versions wrote for <see cref="Claimed"/> before the work completed; read alike.</summary>
    public const string Processing = "processing";

    /// <summary>What earlier versions wrote once the work completed; read as <see cref="Claimed"/>.</summary>
    public const string Processed = "processed";
}
