using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// A backfill's progress in <c>AthosState</c> (<c>PartitionKey</c> = <c>backfill</c>, <c>RowKey</c> = job id). It is
/// also the chain's guard: a page counts once, however often its message is delivered.
/// </summary>
public sealed class BackfillJob : ITableEntity
{
    public const string Partition = "backfill";

    public string PartitionKey { get; set; } = Partition;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    [IgnoreDataMember]
    public string JobId => RowKey;

    public DateTimeOffset From { get; set; }

    public DateTimeOffset To { get; set; }

    /// <summary><c>running</c> or <c>completed</c>.</summary>
    public string Status { get; set; } = BackfillStatus.Running;

    public int PagesDone { get; set; }

    public int Listed { get; set; }

    public int Missing { get; set; }

    public int Stale { get; set; }

    public int Queued { get; set; }

    /// <summary>The cursor of page <see cref="PagesDone"/> + 1, while there is one.</summary>
    public string? NextCursor { get; set; }

    /// <summary>Whether that next page's work item is on the queue (so a redelivered page knows not to queue it again).</summary>
    public bool NextPageQueued { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public string? LastError { get; set; }
}

public static class BackfillStatus
{
    public const string Running = "running";
    public const string Completed = "completed";
}
