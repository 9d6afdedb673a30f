using System.Text.Json;
using System.Text.Json.Serialization;
using Athos.Webhooks.Reconciliation;

namespace Athos.Webhooks.Health;

/// <summary>The three verdicts of a health check, as the JSON says them.</summary>
internal static class HealthStatus
{
    /// <summary>Nothing needs attention.</summary>
    public const string Healthy = "healthy";

    /// <summary>The pipeline runs, but something needs a person: items parked, the last reconcile failed, no run yet.</summary>
    public const string Degraded = "degraded";

    /// <summary>Storage cannot be reached, or no reconcile has succeeded for three intervals: calls are being missed.</summary>
    public const string Unhealthy = "unhealthy";
}

/// <summary>
/// The answer of <c>GET /api/athos/health</c> (both hosts), from stored state only: no request to Athos. Nothing in it
/// is secret: counts, times and reasons.
/// </summary>
/// <param name="Status"><see cref="HealthStatus"/>.</param>
/// <param name="CheckedAt">When the check ran.</param>
/// <param name="Reasons">Why it is not healthy, one sentence each; empty when healthy.</param>
/// <param name="Reconcile">The reconciler's last success and run; absent when storage could not be read.</param>
/// <param name="Queue">Messages waiting on <c>athos-calls</c> and <c>athos-calls-poison</c>.</param>
/// <param name="Parked">Rows in <c>AthosParkedWork</c> (counted up to <see cref="PipelineHealth.ParkedCountLimit"/>).</param>
/// <param name="Export">How far behind the analytics export (<c>athos-exports</c>) is.</param>
internal sealed record HealthReport(
    string Status,
    DateTimeOffset CheckedAt,
    IReadOnlyList<string> Reasons,
    ReconcileHealth? Reconcile = null,
    QueueHealth? Queue = null,
    int? Parked = null,
    ExportHealth? Export = null)
{
    /// <summary>The stored summary behind <see cref="Reconcile"/> (for <c>athos-webhooks status</c>; not in the JSON).</summary>
    [JsonIgnore]
    public ReconcileSummary? Summary { get; init; }

    /// <summary>HTTP status of the health endpoint: 503 when unhealthy, else 200 (the body says healthy or degraded).</summary>
    [JsonIgnore]
    public int HttpStatus => Status == HealthStatus.Unhealthy ? 503 : 200;
}

/// <param name="LastSuccessAt">The end of the last run that succeeded or made progress (<c>partial</c>).</param>
/// <param name="AgeSeconds">Seconds since then; absent if no run ever succeeded.</param>
/// <param name="MaxAgeSeconds">Three intervals of <c>ATHOS_RECONCILE_SCHEDULE</c>: older than this is unhealthy.</param>
/// <param name="LastRunStatus"><c>succeeded</c>, <c>partial</c>, <c>failed</c> (or absent: no run yet).</param>
/// <param name="LastRunEndedAt">When the last run ended.</param>
/// <param name="LastRunError">Why the last run failed, when it did.</param>
internal sealed record ReconcileHealth(
    DateTimeOffset? LastSuccessAt,
    double? AgeSeconds,
    double MaxAgeSeconds,
    string? LastRunStatus,
    DateTimeOffset? LastRunEndedAt,
    string? LastRunError);

/// <param name="Depth">Messages on <c>athos-calls</c> (approximate, as the queue service counts; delayed ones included).</param>
/// <param name="Poison">Messages on <c>athos-calls-poison</c> (normally 0: they are parked at once).</param>
internal sealed record QueueHealth(int Depth, int Poison);

/// <param name="ExportedThrough">Every change stamped before this is in a committed <c>calls/changes</c> file; absent before the first export.</param>
/// <param name="LagSeconds">Seconds from then to now: how far behind the change feed the changes dataset is.</param>
/// <param name="MaxLagSeconds">Three intervals of <c>ATHOS_EXPORT_SCHEDULE</c> plus the feed's 5-minute read margin: more is degraded.</param>
/// <param name="LastRunAt">When the last export run ended.</param>
/// <param name="LastRunError">Why it failed, when it did.</param>
/// <param name="CurrentBuiltAt">When the live <c>calls/current</c> version was built (its <c>_live.json</c>); absent if never.</param>
/// <param name="CurrentAgeSeconds">Seconds since then.</param>
internal sealed record ExportHealth(
    DateTimeOffset? ExportedThrough,
    double? LagSeconds,
    double MaxLagSeconds,
    DateTimeOffset? LastRunAt,
    string? LastRunError,
    DateTimeOffset? CurrentBuiltAt,
    double? CurrentAgeSeconds);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HealthReport))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
