using System.Text.Json;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Health;
using Athos.Webhooks.Operations;
using Athos.Webhooks.Reconciliation;

namespace Athos.Webhooks.UnitTests;

/// <summary>
/// <c>status --format json</c>'s <c>reconcile</c> section keeps the flat shape and field order docs/operations.md shows:
/// the run's counts and each source's beside their other fields, not nested, whichever record declares them.
/// </summary>
public sealed class StatusJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 29, 12, 28, 0, TimeSpan.Zero);

    [Fact]
    public void The_reconcile_section_writes_the_run_and_each_source_flat_in_the_documented_order()
    {
        var source = new SourceRun(CallSources.Roleplay, ReconcileOutcome.Partial, At.AddHours(-1), At, Listed: 14, Missing: 3, Stale: 2, Note: "budget spent", Pending: 1, SkippedIds: 4, CaughtUpTo: At.AddMinutes(-5));
        var run = new ReconcileRun { Status = ReconcileOutcome.Partial, StartedAt = At, EndedAt = At.AddSeconds(3), Listed = 32, Missing = 2, Stale = 1, Queued = 3, Pending = 2, SkippedIds = 5, Error = "boom", Sources = [source] };
        var summary = new ReconcileSummary { LastSuccessAt = At.AddMinutes(-30), Contract = AthosContract.Current, LastRun = run };
        var health = new ReconcileHealth(summary.LastSuccessAt, 19, 60, "partial", run.EndedAt, null);

        var json = JsonSerializer.SerializeToElement(StatusReconcile.Of(summary, health), OperationsJsonContext.Default.StatusReconcile);

        Assert.Equal(
            ["lastSuccessAt", "ageSeconds", "maxAgeSeconds", "lastRunStatus", "lastRunStartedAt", "lastRunEndedAt", "contract", "listed", "missing", "stale", "queued", "pending", "skippedIds", "error", "sources"],
            json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            new { Listed = 32, Missing = 2, Stale = 1, Queued = 3, Pending = 2, SkippedIds = 5, Contract = (string?)"current", Error = (string?)"boom" },
            new { Listed = json.GetProperty("listed").GetInt32(), Missing = json.GetProperty("missing").GetInt32(), Stale = json.GetProperty("stale").GetInt32(), Queued = json.GetProperty("queued").GetInt32(), Pending = json.GetProperty("pending").GetInt32(), SkippedIds = json.GetProperty("skippedIds").GetInt32(), Contract = json.GetProperty("contract").GetString(), Error = json.GetProperty("error").GetString() });

        var written = Assert.Single(json.GetProperty("sources").EnumerateArray().ToList());
        Assert.Equal(
            ["source", "status", "from", "to", "listed", "missing", "stale", "queued", "pending", "skippedIds", "caughtUpTo", "note"],
            written.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            new { Status = (string?)"partial", Listed = 14, Missing = 3, Stale = 2, Queued = 4, Pending = 1, SkippedIds = 4, Note = (string?)"budget spent" },
            new { Status = written.GetProperty("status").GetString(), Listed = written.GetProperty("listed").GetInt32(), Missing = written.GetProperty("missing").GetInt32(), Stale = written.GetProperty("stale").GetInt32(), Queued = written.GetProperty("queued").GetInt32(), Pending = written.GetProperty("pending").GetInt32(), SkippedIds = written.GetProperty("skippedIds").GetInt32(), Note = written.GetProperty("note").GetString() });
    }
}
