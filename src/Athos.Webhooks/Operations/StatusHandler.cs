using System.Text.Json;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Health;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Roster;
using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Operations;

/// <summary>
/// <c>status</c>: whether the pipeline is healthy: the queue, parked items, the last reconcile, the freshness of the
/// newest rows, and every call Athos lists as scored since a time against the tables.
/// </summary>
public interface IStatusHandler
{
    /// <summary>
    /// Checks: the report, as docs/operations.md ("athos-webhooks status") documents status's JSON; <c>status</c> is
    /// healthy, degraded or unknown (storage or Athos unreachable).
    /// </summary>
    Task<JsonElement> StatusAsync(DateTimeOffset since, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>A duration worded as the report's reasons word it (<c>45 s</c>, <c>12 min</c>, <c>3.5 h</c>, <c>2.0 d</c>), for a summary beside them.</summary>
    string Describe(TimeSpan duration);
}

/// <summary>
/// From storage, the queue, parked items and the last reconcile against its schedule (what <c>GET /api/athos/health</c>
/// reads, by the same code), the latest rescan and the occurrences skipped while one ran, and the freshness of the
/// newest rows; from Athos, whether every call it lists as scored in the window is stored current. What it cannot read
/// makes it say that it cannot tell, and why.
/// </summary>
/// <remarks>The completeness check holds the Athos client, whose settings are read when it is made: it is made only once
/// storage has answered, so that a status with storage unreachable says so whatever the Athos settings are.</remarks>
internal sealed class StatusHandler(PipelineHealth health, RescanGate rescans, NewestRows newest, RosterState roster, Func<CompletenessCheck> completeness) : IStatusHandler
{
    public async Task<JsonElement> StatusAsync(DateTimeOffset since, DateTimeOffset now, CancellationToken cancellationToken) =>
        JsonSerializer.SerializeToElement(await CheckAsync(since, now, cancellationToken), OperationsJsonContext.Default.StatusReport);

    public string Describe(TimeSpan duration) => PipelineHealth.Describe(duration);

    public async Task<StatusReport> CheckAsync(DateTimeOffset since, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var pipeline = await health.CheckAsync(cancellationToken);
        if (pipeline.Summary is not { } summary)
        {
            // Storage could not be read: nothing else can be judged.
            return new StatusReport(StatusReport.Unknown, now, since, pipeline.Reasons, null, null, null, null, null, null);
        }

        var reasons = new List<string>(pipeline.Reasons);
        var reconcile = StatusReconcile.Of(summary, pipeline.Reconcile);

        RowFreshness? freshness = null;
        StatusRescan? rescan = null;
        StatusCompleteness? complete = null;
        RosterRun? rosterRun = null;
        string? unknown = null;
        try
        {
            rescan = StatusRescan.Of(await rescans.GetSummaryAsync(cancellationToken));
            freshness = await newest.CheckAsync(now, cancellationToken);
            rosterRun = await roster.GetAsync(cancellationToken);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            unknown = $"storage failed while reading {(rescan is null ? "the rescan's state" : "the newest rows")}: {StorageFailure.FirstLine(ex)}";
        }

        if (unknown is null)
        {
            try
            {
                var found = await completeness().CheckAsync(since, now, summary.Contract, cancellationToken);
                complete = new StatusCompleteness(
                    found.Since,
                    found.Until,
                    found.InFlightGrace.TotalSeconds,
                    found.Sources.Sum(s => s.Listed),
                    found.Sources.Sum(s => s.Current),
                    found.Missing,
                    found.Stale,
                    found.Sources.Sum(s => s.InFlight),
                    found.Sources.Sum(s => s.Erased),
                    found.Sources,
                    found.Incomplete);
                if (!found.IsComplete)
                {
                    reasons.Add($"{found.Missing} call(s) missing and {found.Stale} stale of the {complete.Listed} Athos lists as scored since {since:u}");
                }
            }
            catch (AthosApiException ex)
            {
                unknown = ex.Kind == AthosErrorKind.Configuration
                    ? $"Athos refused the request ({ex.Status} {ex.ErrorCode}): check ATHOS_API_KEY and ATHOS_BASE_URL; while this lasts no call can be fetched"
                    : $"Athos could not be asked for its list: {ex.Message}";
            }
            catch (Exception ex) when (ex.IsStorageFailure())
            {
                unknown = $"storage failed during the completeness check: {StorageFailure.FirstLine(ex)}";
            }
        }

        var status = unknown is not null ? StatusReport.Unknown
            : reasons.Count > 0 ? StatusReport.Degraded
            : StatusReport.Healthy;
        if (unknown is not null)
        {
            reasons.Insert(0, "cannot tell: " + unknown);
        }

        return new StatusReport(status, now, since, reasons, pipeline.Queue, pipeline.Parked, reconcile, rescan, freshness, complete, rosterRun, pipeline.Export);
    }
}
