using Athos.Webhooks.Enrichment;

namespace Athos.Webhooks.Operations;

/// <summary>What <c>verify</c> reports (docs/operations.md, "Verifying storage", documents its JSON).</summary>
internal sealed record VerifyView(
    DateTimeOffset Since,
    DateTimeOffset CheckedAt,
    int CallsChecked,
    bool Consistent,
    IReadOnlyList<DiscrepancyView> Discrepancies,
    IReadOnlyList<DiscrepancyView> InFlight,
    IReadOnlyList<RepairView>? Repairs)
{
    public static VerifyView Of(ConsistencyReport report, IReadOnlyList<CallRepair>? repairs) => new(
        report.Since,
        report.CheckedAt,
        report.CallsChecked,
        report.IsConsistent,
        [.. report.Inconsistent.SelectMany(c => c.Discrepancies).Select(DiscrepancyView.Of)],
        [.. report.InFlight.SelectMany(c => c.Discrepancies).Select(DiscrepancyView.Of)],
        repairs?.Select(r => new RepairView(r.CallId, r.Actions, [.. r.Remaining.Select(DiscrepancyView.Of)], r.Remaining.Count == 0)).ToList());
}

/// <summary>One discrepancy: <c>kind</c> is <c>missing</c>, <c>older</c>, <c>newer</c>, <c>different_values</c>, <c>stale_keys</c> or <c>orphan</c>.</summary>
internal sealed record DiscrepancyView(string CallId, string Table, string Kind, string Where, string Detail)
{
    public static DiscrepancyView Of(Discrepancy d) => new(d.CallId, d.Table, d.KindName, d.Where, d.Detail);
}

/// <summary>What was done to one call, and what is still wrong after it.</summary>
internal sealed record RepairView(string CallId, IReadOnlyList<string> Actions, IReadOnlyList<DiscrepancyView> Remaining, bool Consistent);
