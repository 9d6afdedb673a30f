using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Enrichment;

/// <summary>
/// How far a <see cref="CallReprojector"/> run has come, in <c>AthosState</c> (<c>PartitionKey</c> = <c>reproject</c>,
/// <c>RowKey</c> = <c>progress</c>); deleted when the run completes.
/// </summary>
internal sealed class ReprojectProgressRow() : TableRow(Partition, Row)
{
    public const string Partition = "reproject";
    public const string Row = "progress";

    /// <summary>The run's <c>since</c> (absent: every blob); a run over another range starts afresh.</summary>
    public DateTimeOffset? Since { get; set; }

    /// <summary>The archive listing's continuation after the last page done.</summary>
    public string? Marker { get; set; }

    /// <summary>Whether every blob page is done (only the <c>failed</c> rows remain).</summary>
    public bool BlobsDone { get; set; }

    public int Scanned { get; set; }

    public int Rewritten { get; set; }

    public int Current { get; set; }

    public int Unreadable { get; set; }
}
