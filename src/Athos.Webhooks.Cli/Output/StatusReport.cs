using Athos.Webhooks.Health;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Telemetry;

namespace Athos.Webhooks.Cli.Output;

/// <summary>
/// What <c>athos-webhooks status</c> says, and its <c>--format json</c> shape (docs/operations.md, "athos-webhooks
/// status"). Sections that could not be read (storage or Athos unreachable) are absent.
/// </summary>
/// <param name="Status"><c>healthy</c> (exit 0), <c>degraded</c> (exit 1) or <c>unknown</c> (exit 3).</param>
/// <param name="ExitCode">The command's exit code.</param>
/// <param name="CheckedAt">When the check ran.</param>
/// <param name="Since">The completeness window's start.</param>
/// <param name="Reasons">Why it is not healthy (or why it cannot tell), one sentence each.</param>
/// <param name="Queue">Messages waiting on <c>athos-calls</c> and <c>athos-calls-poison</c>.</param>
/// <param name="Parked">Rows in <c>AthosParkedWork</c>.</param>
/// <param name="Reconcile">The last reconcile run.</param>
/// <param name="Freshness">The newest stored rows.</param>
/// <param name="Completeness">Athos's list against the tables over the window.</param>
internal sealed record StatusReport(
    string Status,
    int ExitCode,
    DateTimeOffset CheckedAt,
    DateTimeOffset Since,
    IReadOnlyList<string> Reasons,
    QueueHealth? Queue,
    int? Parked,
    StatusReconcile? Reconcile,
    RowFreshness? Freshness,
    StatusCompleteness? Completeness)
{
    public const string Healthy = HealthStatus.Healthy;
    public const string Degraded = HealthStatus.Degraded;
    public const string Unknown = "unknown";
}

/// <summary>The last reconcile run, as <c>AthosState</c> keeps it.</summary>
internal sealed record StatusReconcile(
    DateTimeOffset? LastSuccessAt,
    double? AgeSeconds,
    double MaxAgeSeconds,
    string? LastRunStatus,
    DateTimeOffset? LastRunStartedAt,
    DateTimeOffset? LastRunEndedAt,
    string? Contract,
    int Listed,
    int Missing,
    int Stale,
    int Queued,
    int Pending,
    int SkippedIds,
    string? Error,
    IReadOnlyList<StatusSourceRun> Sources);

/// <summary>One source's part of the last reconcile run; its status named as health and the metrics name it (<c>succeeded</c>…).</summary>
internal sealed record StatusSourceRun(
    string Source,
    string Status,
    DateTimeOffset? From,
    DateTimeOffset? To,
    int Listed,
    int Missing,
    int Stale,
    int Queued,
    int Pending,
    int SkippedIds,
    DateTimeOffset? CaughtUpTo,
    string? Note)
{
    public static StatusSourceRun Of(SourceRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new(run.Source, AthosMetrics.StatusName(run.Status), run.From, run.To, run.Listed, run.Missing, run.Stale, run.Queued, run.Pending, run.SkippedIds, run.CaughtUpTo, run.Note);
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
    IReadOnlyList<SourceCompleteness> Sources,
    IReadOnlyList<IncompleteCall> Incomplete);
