using Athos.Webhooks.Storage;

namespace Athos.Webhooks.WorkItems;

/// <summary>
/// A work item that exhausted its attempts, in <c>AthosParkedWork</c> (<c>PartitionKey</c> = <c>parked</c>,
/// <c>RowKey</c> = the queue message id, so parking the same message twice keeps one row). Kept, with the reason,
/// until an operator redrives it.
/// </summary>
internal sealed class ParkedItem() : TableRow(Partition)
{
    public const string Partition = "parked";

    /// <summary>The message body exactly as it was queued (work item JSON), base64.</summary>
    public string Body { get; set; } = string.Empty;

    /// <summary>The work item's kind (<c>fetch</c>, <c>scoringFailed</c>, <c>backfillPage</c>), when it could be read.</summary>
    public string? Kind { get; set; }

    public string? CallId { get; set; }

    public string? Origin { get; set; }

    public string? WebhookId { get; set; }

    /// <summary>Why it was parked (<see cref="ParkReason"/>).</summary>
    public string Reason { get; set; } = string.Empty;

    /// <summary>The last error, as a person reads it.</summary>
    public string? Error { get; set; }

    /// <summary>Athos's HTTP status, error code and request id, when Athos refused or failed.</summary>
    public int? AthosStatus { get; set; }

    public string? AthosErrorCode { get; set; }

    public string? AthosRequestId { get; set; }

    public long DequeueCount { get; set; }

    public DateTimeOffset ParkedAt { get; set; }
}

/// <summary>Values of <see cref="ParkedItem.Reason"/>.</summary>
internal static class ParkReason
{
    /// <summary>Athos refused the request (401/403: the key, IP or tenant; 400: our bug). Fix the cause, then redrive.</summary>
    public const string AthosRefused = "athos_refused";

    /// <summary>Athos kept failing (5xx, timeouts) for longer than an item is kept retrying (24 hours).</summary>
    public const string AthosUnavailable = "athos_unavailable";

    /// <summary>The message is not a work item this build reads.</summary>
    public const string InvalidWorkItem = "invalid_work_item";

    /// <summary>Anything else that failed on every attempt (the error says what).</summary>
    public const string Failed = "failed";

    /// <summary>The Functions host moved it to <c>athos-calls-poison</c> (a crash or timeout on the last attempt).</summary>
    public const string MovedToPoison = "moved_to_poison";
}
