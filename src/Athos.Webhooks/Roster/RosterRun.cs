using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Roster;

/// <summary>What a roster sync did, as <c>status</c> shows it (docs/operations.md, "athos-webhooks status").</summary>
/// <param name="Status"><c>synced</c>, <c>skipped</c> (with <paramref name="Reason"/>) or <c>failed</c> (with it too).</param>
/// <param name="Pages">Pages of <c>GET /agents</c> read: the sync's Athos requests.</param>
/// <param name="Listed">Agents Athos listed.</param>
/// <param name="Written">Rows written: new agents, changed ones, and ones listed again after a removal.</param>
/// <param name="Removed">Agents newly marked removed.</param>
/// <param name="Purged">Removed agents deleted past <c>ATHOS_ROSTER_REMOVED_RETENTION</c>.</param>
internal sealed record RosterRun(
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    string? Reason,
    int Pages,
    int Listed,
    int Written,
    int Removed,
    int Purged)
{
    public const string Synced = "synced";
    public const string Skipped = "skipped";
    public const string Failed = "failed";

    /// <summary>When a sync last succeeded, whatever the last run did.</summary>
    public DateTimeOffset? LastSyncedAt { get; init; }
}

/// <summary>The roster sync's row in <c>AthosState</c> (<c>PartitionKey</c> = <c>roster</c>, <c>RowKey</c> = <c>state</c>).</summary>
internal sealed class RosterStateRow() : TableRow(Partition, Row)
{
    public const string Partition = "roster";
    public const string Row = "state";

    public string? Status { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    public string? Reason { get; set; }

    public int? Pages { get; set; }

    public int? Listed { get; set; }

    public int? Written { get; set; }

    public int? Removed { get; set; }

    public int? Purged { get; set; }

    public DateTimeOffset? LastSyncedAt { get; set; }
}
