using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Enrichment;

/// <summary>What is wrong with one stored item of a call, as <c>verify</c> reports it.</summary>
internal enum DiscrepancyKind
{
    /// <summary>
    /// Absent: an index row at the main row's keys, the archive blob of a scored call, the main row of an archived call,
    /// or the change of the main row's version in <c>AthosCallChanges</c>.
    /// </summary>
    Missing,

    /// <summary>Holds an older version than it should: an index row or the blob older than the main row, or the main row older than its blob.</summary>
    Older,

    /// <summary>An index row holds a newer version than the main row.</summary>
    Newer,

    /// <summary>An index row holds the main row's version with other values.</summary>
    DifferentValues,

    /// <summary>An index row of the call at keys the main row does not have (it moved to another rep or day).</summary>
    StaleKeys,

    /// <summary>An index row of a call that has no <c>AthosCalls</c> row.</summary>
    Orphan,
}

/// <summary>The names of <see cref="DiscrepancyKind"/> as <c>verify</c> prints them and writes them in JSON.</summary>
internal static class DiscrepancyKindNames
{
    public static readonly StoredNames<DiscrepancyKind> Names = new(
    [
        (DiscrepancyKind.Missing, "missing"),
        (DiscrepancyKind.Older, "older"),
        (DiscrepancyKind.Newer, "newer"),
        (DiscrepancyKind.DifferentValues, "different_values"),
        (DiscrepancyKind.StaleKeys, "stale_keys"),
        (DiscrepancyKind.Orphan, "orphan"),
    ]);
}

/// <summary>
/// One discrepancy: the call, the table (or <c>athos-calls</c> for the archive blob), what is wrong, and for an index
/// row or a change row its keys (<paramref name="Row"/>).
/// </summary>
internal sealed record Discrepancy(string CallId, string Table, DiscrepancyKind Kind, IndexKey? Row, string Detail)
{
    /// <summary>The kind as printed and in JSON: <c>missing</c>, <c>older</c>, <c>newer</c>, <c>different_values</c>, <c>stale_keys</c>, <c>orphan</c>.</summary>
    public string KindName => DiscrepancyKindNames.Names.NameOf(Kind);

    /// <summary>Where: <c>PartitionKey / RowKey</c> of an index or change row, the call id for <c>AthosCalls</c>, the blob name for the archive.</summary>
    public string Where => Row is { } key ? $"{key.PartitionKey} / {key.RowKey}"
        : Table == StorageNames.RawCallsContainer ? CallArchive.BlobName(CallId)
        : CallId;
}

/// <summary>
/// One call as <c>verify</c> found it: its discrepancies, the index keys where rows of it were seen, and whether it was
/// written too recently to judge (a writer may still be at work: see <see cref="CallConsistencyChecker.SettleTime"/>).
/// </summary>
internal sealed record CallConsistency(string CallId, IReadOnlyList<Discrepancy> Discrepancies, IReadOnlyList<IndexKey> IndexKeysSeen, bool InFlight)
{
    public bool IsConsistent => Discrepancies.Count == 0;
}

/// <summary>What a <c>verify</c> run found: calls with discrepancies, and calls in flight (not judged).</summary>
internal sealed record ConsistencyReport(
    DateTimeOffset Since,
    DateTimeOffset CheckedAt,
    int CallsChecked,
    IReadOnlyList<CallConsistency> Inconsistent,
    IReadOnlyList<CallConsistency> InFlight)
{
    public bool IsConsistent => Inconsistent.Count == 0;
}
