using Athos.Webhooks.Exports;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.WorkItems;
using Azure.Storage.Queues;

namespace Athos.Webhooks.Health;

/// <summary>
/// The pipeline's health from what storage holds, never asking Athos: the reconciler's last success against its
/// schedule, parked items, the poison queue, the queue's depth. Shared by <c>GET /api/athos/health</c> (both hosts)
/// and <c>athos-webhooks status</c>, so they cannot disagree. Six storage reads (two of them the export's position).
/// </summary>
internal sealed class PipelineHealth
{
    private readonly ReconcileStateStore _state;
    private readonly ParkedWork _parked;
    private readonly QueueServiceClient _queues;
    private readonly IOptions<ReconcileOptions> _options;
    private readonly ExportLag _export;
    private readonly IOptions<ExportOptions> _exportOptions;
    private readonly TimeProvider _time;

    public PipelineHealth(ReconcileStateStore state, ParkedWork parked, QueueServiceClient queues, IOptions<ReconcileOptions> options, ExportLag export, IOptions<ExportOptions> exportOptions, TimeProvider time)
    {
        _export = export;
        _exportOptions = exportOptions;
        _state = state;
        _parked = parked;
        _queues = queues;
        _options = options;
        _time = time;
    }

    /// <summary>Storage gets this long to answer; a probe must answer well inside its own timeout.</summary>
    internal static readonly TimeSpan StorageBudget = TimeSpan.FromSeconds(10);

    /// <summary>Parked rows are counted up to this many.</summary>
    internal const int ParkedCountLimit = 1000;

    internal async Task<HealthReport> CheckAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var maxQuiet = ReconcileCadence.MaxQuietTime(_options.Value.ParseSchedule(), now);
        using var budget = new CancellationTokenSource(StorageBudget, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        ReconcileSummary summary;
        int depth, poison, parkedCount;
        ExportPosition export;
        try
        {
            var exportRead = _export.ReadAsync(linked.Token);
            var summaryRead = _state.GetSummaryAsync(linked.Token);
            var depthRead = _queues.GetQueueClient(StorageNames.CallsQueue).GetPropertiesAsync(linked.Token);
            var poisonRead = _queues.GetQueueClient(StorageNames.PoisonQueue).GetPropertiesAsync(linked.Token);
            var parkedRead = _parked.CountAsync(ParkedCountLimit, linked.Token);
            summary = await summaryRead;
            depth = (await depthRead).Value.ApproximateMessagesCount;
            poison = (await poisonRead).Value.ApproximateMessagesCount;
            parkedCount = await parkedRead;
            export = await exportRead;
        }
        catch (Exception ex) when (ex.IsStorageFailure() || (ex is OperationCanceledException && budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
        {
            var why = ex is OperationCanceledException
                ? $"storage did not answer within {StorageBudget.TotalSeconds:0} s"
                : $"storage is unreachable: {StorageFailure.FirstLine(ex)}";
            return new HealthReport(HealthStatus.Unhealthy, now, [why]);
        }

        var reasons = new List<string>();
        var unhealthy = false;
        var age = summary.LastSuccessAt is { } success ? now - success : (TimeSpan?)null;
        if (age is null)
        {
            if (summary.LastRun?.Status == ReconcileOutcome.Failed)
            {
                unhealthy = true;
                reasons.Add($"no reconcile run has succeeded yet; the last one failed: {summary.LastRun?.Error}");
            }
            else
            {
                reasons.Add("no reconcile run has succeeded yet (the first one runs on ATHOS_RECONCILE_SCHEDULE)");
            }
        }
        else if (age > maxQuiet)
        {
            unhealthy = true;
            reasons.Add($"no successful reconcile for {Describe(age.Value)}, more than {ReconcileCadence.IntervalsBeforeUnhealthy} intervals ({Describe(maxQuiet)}): dropped webhooks are not being recovered" + (summary.LastRun?.Error is { } error ? $"; the last run failed: {error}" : string.Empty));
        }
        else if (summary.LastRun?.Status == ReconcileOutcome.Failed)
        {
            reasons.Add($"the last reconcile run failed: {summary.LastRun?.Error}");
        }

        if (parkedCount > 0)
        {
            reasons.Add($"{(parkedCount >= ParkedCountLimit ? $"{ParkedCountLimit} or more" : parkedCount)} work items parked in {StorageNames.ParkedWorkTable}: fix the cause, then run `athos-webhooks redrive`");
        }

        if (poison > 0)
        {
            reasons.Add($"{poison} messages wait in {StorageNames.PoisonQueue}: `athos-webhooks redrive` parks and re-queues them");
        }

        var exportHealth = JudgeExport(export, now, reasons);
        var status = unhealthy ? HealthStatus.Unhealthy : reasons.Count > 0 ? HealthStatus.Degraded : HealthStatus.Healthy;
        return new HealthReport(
            status,
            now,
            reasons,
            new ReconcileHealth(summary.LastSuccessAt, age is { } a ? Math.Round(a.TotalSeconds) : null, maxQuiet.TotalSeconds, summary.LastRun?.Status is { } last ? AthosMetrics.StatusName(last) : null, summary.LastRun?.EndedAt, summary.LastRun?.Status == ReconcileOutcome.Failed ? summary.LastRun?.Error : null),
            new QueueHealth(depth, poison),
            parkedCount,
            exportHealth)
        {
            Summary = summary,
        };
    }

    /// <summary>
    /// The export's lag against three of its intervals plus the feed's read margin (the export can never be closer to
    /// now than that margin): behind that, or a failed last run, is degraded: analysts read stale files, nothing is lost.
    /// Before the first export there is nothing to judge.
    /// </summary>
    private ExportHealth JudgeExport(ExportPosition export, DateTimeOffset now, List<string> reasons)
    {
        var maxLag = ReconcileCadence.MaxQuietTime(_exportOptions.Value.ParseSchedule(), now) + CallChangeFeed.ReadMargin;
        var lag = export.ExportedThrough is { } through ? now - through : (TimeSpan?)null;
        if (lag > maxLag)
        {
            reasons.Add($"the analytics export is {Describe(lag.Value)} behind the change feed, more than {ReconcileCadence.IntervalsBeforeUnhealthy} intervals of {ExportOptions.ScheduleSetting} plus the feed's read margin ({Describe(maxLag)}): the Parquet files in {StorageNames.ExportsContainer} are stale");
        }

        if (export.LastRunError is { } error)
        {
            reasons.Add($"the last export run failed: {error}");
        }

        var currentAge = export.CurrentBuiltAt is { } built ? now - built : (TimeSpan?)null;
        return new ExportHealth(export.ExportedThrough, lag is { } l ? Math.Round(l.TotalSeconds) : null, maxLag.TotalSeconds, export.LastRunAt, export.LastRunError, export.CurrentBuiltAt, currentAge is { } a ? Math.Round(a.TotalSeconds) : null);
    }

    /// <summary>A duration for people: <c>45 s</c>, <c>12 min</c>, <c>3.5 h</c>, <c>2.0 d</c>.</summary>
    internal static string Describe(TimeSpan span) => span.TotalSeconds switch
    {
        < 120 => $"{span.TotalSeconds:0} s",
        < 7200 => $"{span.TotalMinutes:0} min",
        < 172800 => $"{span.TotalHours:0.0} h",
        _ => $"{span.TotalDays:0.0} d",
    };
}
