using System.Text.Json;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Health;
using Athos.Webhooks.Operations;
using Athos.Webhooks.Reconciliation;

namespace Athos.Webhooks.UnitTests;

/// <summary>
/// <c>status --format json</c>'s <c>reconcile</c> section keeps the flat shape and field order docs/operations.md shows:
/// the run's counts and each source's beside their other fields, not nested, whichever record declares them; its
/// <c>rescan</c> section names the latest rescan and the occurrences skipped.
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

    [Fact]
    public void The_rescan_section_writes_the_latest_job_then_the_skipped_occurrences_in_the_documented_order()
    {
        var job = new BackfillJob { RowKey = "rs_20261129033000", Kind = BackfillKind.Rescan, Status = BackfillStatus.Completed, CreatedAt = At.AddHours(-9), CompletedAt = At.AddHours(-8) };
        var summary = new RescanSummary(job.JobId, job, Skipped: 3, LastSkippedAt: At.AddHours(-8.5));

        var json = JsonSerializer.SerializeToElement(StatusRescan.Of(summary), OperationsJsonContext.Default.StatusRescan);

        Assert.Equal(["jobId", "status", "startedAt", "completedAt", "skipped", "lastSkippedAt"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            new { JobId = (string?)"rs_20261129033000", Status = (string?)"completed", StartedAt = At.AddHours(-9), Skipped = 3, LastSkippedAt = At.AddHours(-8.5) },
            new { JobId = json.GetProperty("jobId").GetString(), Status = json.GetProperty("status").GetString(), StartedAt = json.GetProperty("startedAt").GetDateTimeOffset(), Skipped = json.GetProperty("skipped").GetInt32(), LastSkippedAt = json.GetProperty("lastSkippedAt").GetDateTimeOffset() });
    }

    [Fact]
    public void Before_any_rescan_the_rescan_section_has_only_its_skip_count()
    {
        var json = JsonSerializer.SerializeToElement(StatusRescan.Of(new RescanSummary(null, null, 0, null)), OperationsJsonContext.Default.StatusRescan);

        Assert.Equal(["skipped"], json.EnumerateObject().Select(p => p.Name));
    }
}
