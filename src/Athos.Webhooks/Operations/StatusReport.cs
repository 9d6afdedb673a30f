using System.Text.Json.Serialization;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Health;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Roster;
using Athos.Webhooks.Telemetry;

namespace Athos.Webhooks.Operations;

/// <summary>
/// What <c>status</c> reports (docs/operations.md, "athos-webhooks status", documents its JSON). Sections that could
/// not be read (storage or Athos unreachable) are absent.
/// </summary>
/// <param name="Status"><c>healthy</c>, <c>degraded</c> or <c>unknown</c> (cannot tell).</param>
/// <param name="CheckedAt">When the check ran.</param>
/// <param name="Since">The completeness window's start.</param>
/// <param name="Reasons">Why it is not healthy (or why it cannot tell), one sentence each.</param>
/// <param name="Queue">Messages waiting on <c>athos-calls</c> and <c>athos-calls-poison</c>.</param>
/// <param name="Parked">Rows in <c>AthosParkedWork</c>.</param>
/// <param name="Reconcile">The last reconcile run.</param>
/// <param name="Rescan">The latest trailing rescan, and the occurrences skipped while one ran.</param>
/// <param name="Freshness">The newest stored rows.</param>
/// <param name="Completeness">Athos's list against the tables over the window.</param>
/// <param name="Roster">The last roster sync (absent before the first): synced, skipped with its reason (an early-contract tenant), or failed.</param>
/// <param name="Export">How far behind the analytics export is (the health endpoint's <c>export</c>).</param>
internal sealed record StatusReport(
    string Status,
    DateTimeOffset CheckedAt,
    DateTimeOffset Since,
    IReadOnlyList<string> Reasons,
    QueueHealth? Queue,
    int? Parked,
    StatusReconcile? Reconcile,
    StatusRescan? Rescan,
    RowFreshness? Freshness,
    StatusCompleteness? Completeness,
    RosterRun? Roster = null,
    ExportHealth? Export = null)
{
    public const string Healthy = HealthStatus.Healthy;
    public const string Degraded = HealthStatus.Degraded;
    public const string Unknown = "unknown";
}

/// <summary>
/// What a reconcile run counted, or one source's part of it. Status's JSON writes the counts flat, after the run's own
/// fields (order 1) and before what follows them (order 2), as docs/operations.md shows.
/// </summary>
internal abstract record StatusCounts
{
    [JsonPropertyOrder(1)]
    public required int Listed { get; init; }

    [JsonPropertyOrder(1)]
    public required int Missing { get; init; }

    [JsonPropertyOrder(1)]
    public required int Stale { get; init; }

    [JsonPropertyOrder(1)]
    public required int Queued { get; init; }

    [JsonPropertyOrder(1)]
    public required int Pending { get; init; }

    [JsonPropertyOrder(1)]
    public required int SkippedIds { get; init; }
}

/// <summary>The last reconcile run, as <c>AthosState</c> keeps it.</summary>
internal sealed record StatusReconcile(
    DateTimeOffset? LastSuccessAt,
    double? AgeSeconds,
    double MaxAgeSeconds,
    string? LastRunStatus,
    DateTimeOffset? LastRunStartedAt,
    DateTimeOffset? LastRunEndedAt,
    string? Contract) : StatusCounts
{
    [JsonPropertyOrder(2)]
    public string? Error { get; init; }

    [JsonPropertyOrder(2)]
    public IReadOnlyList<StatusSourceRun> Sources { get; init; } = [];

    /// <summary>The run's fields as the summary keeps them, with what health judged of it (its age against the schedule).</summary>
    public static StatusReconcile Of(ReconcileSummary summary, ReconcileHealth? health)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var run = summary.LastRun;
        return new(summary.LastSuccessAt, health?.AgeSeconds, health?.MaxAgeSeconds ?? 0, health?.LastRunStatus, run?.StartedAt, run?.EndedAt, summary.Contract?.ToStorageName())
        {
            Listed = run?.Listed ?? 0,
            Missing = run?.Missing ?? 0,
            Stale = run?.Stale ?? 0,
            Queued = run?.Queued ?? 0,
            Pending = run?.Pending ?? 0,
            SkippedIds = run?.SkippedIds ?? 0,
            Error = run?.Error,
            Sources = [.. (run?.Sources ?? []).Select(StatusSourceRun.Of)],
        };
    }
}

/// <summary>One source's part of the last reconcile run; its status named as health and the metrics name it (<c>succeeded</c>…).</summary>
internal sealed record StatusSourceRun(string Source, string Status, DateTimeOffset? From, DateTimeOffset? To) : StatusCounts
{
    [JsonPropertyOrder(2)]
    public DateTimeOffset? CaughtUpTo { get; init; }

    [JsonPropertyOrder(2)]
    public string? Note { get; init; }

    public static StatusSourceRun Of(SourceRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new(run.Source, AthosMetrics.StatusName(run.Status), run.From, run.To)
        {
            Listed = run.Listed,
            Missing = run.Missing,
            Stale = run.Stale,
            Queued = run.Queued,
            Pending = run.Pending,
            SkippedIds = run.SkippedIds,
            CaughtUpTo = run.CaughtUpTo,
            Note = run.Note,
        };
    }
}

/// <summary>The latest rescan (its job row, as a backfill's progress shows it) and the occurrences skipped while one ran.</summary>
/// <param name="JobId">The latest rescan started; <see langword="null"/> before the first.</param>
/// <param name="Status"><c>running</c>, <c>completed</c> or <c>failed</c>.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="CompletedAt">When it ended.</param>
/// <param name="Skipped">Occurrences of the schedule skipped because a rescan was still running, all told.</param>
/// <param name="LastSkippedAt">The occurrence skipped last.</param>
internal sealed record StatusRescan(string? JobId, string? Status, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, int Skipped, DateTimeOffset? LastSkippedAt)
{
    public static StatusRescan Of(RescanSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new(summary.JobId, summary.Latest?.Status, summary.Latest?.CreatedAt, summary.Latest?.CompletedAt, summary.Skipped, summary.LastSkippedAt);
    }
}

/// <summary>The completeness check over the window.</summary>
internal sealed record StatusCompleteness(
    DateTimeOffset Since,
    DateTimeOffset Until,
    double InFlightGraceSeconds,
    int Listed,
    int Current,
    int Missing,
    int Stale,
    int InFlight,
    int Erased,
    IReadOnlyList<SourceCompleteness> Sources,
    IReadOnlyList<IncompleteCall> Incomplete);
