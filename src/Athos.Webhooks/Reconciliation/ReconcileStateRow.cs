using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// The reconciler's row in <c>AthosState</c> (<c>PartitionKey</c> = <c>reconcile</c>, <c>RowKey</c> = <c>state</c>), as
/// stored. Every column is nullable: a watermark, the contract and a purge are written by partial merges, and the Table
/// service ignores a null property on a merge (the SDK sends it as null), so each changes only what it sets. A run is not
/// merged: it replaces the row as read, so that its <c>LastRun…</c> columns are its own, none left from the run before.
/// </summary>
internal sealed class ReconcileStateRow() : TableRow(Partition, Row)
{
    public const string Partition = "reconcile";
    public const string Row = "state";

    /// <summary>Roleplay's watermark: the name it had when it was the only source, so an upgraded deployment carries on.</summary>
    public DateTimeOffset? Watermark { get; set; }

    public DateTimeOffset? WatermarkRealCall { get; set; }

    /// <summary>The contract Athos was last seen speaking (<c>early</c>, <c>current</c>).</summary>
    public string? Contract { get; set; }

    public DateTimeOffset? LastSuccessAt { get; set; }

    public DateTimeOffset? LastPurgeAt { get; set; }

    /// <summary>The last run's <see cref="ReconcileOutcome"/>, by its stored name.</summary>
    public string? LastRunStatus { get; set; }

    public DateTimeOffset? LastRunStartedAt { get; set; }

    public DateTimeOffset? LastRunEndedAt { get; set; }

    public DateTimeOffset? LastRunFrom { get; set; }

    public DateTimeOffset? LastRunTo { get; set; }

    public int? LastRunPages { get; set; }

    public int? LastRunListed { get; set; }

    public int? LastRunMissing { get; set; }

    public int? LastRunStale { get; set; }

    public int? LastRunQueued { get; set; }

    public int? LastRunPending { get; set; }

    public int? LastRunSkippedIds { get; set; }

    public int? LastRunAthosRequests { get; set; }

    public int? LastRunErrors { get; set; }

    public string? LastRunError { get; set; }

    /// <summary>The last run's <see cref="SourceRun"/>s as JSON.</summary>
    public string? LastRunSources { get; set; }

    /// <summary>Where the last successful run of <paramref name="source"/> started, or <see langword="null"/>.</summary>
    public DateTimeOffset? WatermarkOf(string source) => source switch
    {
        CallSources.Roleplay => Watermark,
        CallSources.RealCall => WatermarkRealCall,
        _ => throw UnknownSource(source),
    };

    public void SetWatermark(string source, DateTimeOffset watermark)
    {
        switch (source)
        {
            case CallSources.Roleplay:
                Watermark = watermark;
                break;
            case CallSources.RealCall:
                WatermarkRealCall = watermark;
                break;
            default:
                throw UnknownSource(source);
        }
    }

    private static ArgumentOutOfRangeException UnknownSource(string source) =>
        new(nameof(source), source, "Not a known call source.");
}
