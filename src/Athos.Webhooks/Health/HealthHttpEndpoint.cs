using Athos.Webhooks.Http;

namespace Athos.Webhooks.Health;

/// <summary>
/// <c>GET /api/athos/health</c>, shared by the Functions app (function key) and the local runner (loopback, open), so
/// that both answer alike: 200 with <c>healthy</c> or <c>degraded</c>, 503 with <c>unhealthy</c>; from stored state
/// only, so a probe never costs an Athos request.
/// </summary>
internal static class HealthHttpEndpoint
{
    public const string Path = "/api/athos/health";

    public static async Task<JsonHttpResult> HandleAsync(PipelineHealth health, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(health);
        var report = await health.CheckAsync(cancellationToken);
        return new JsonHttpResult<HealthReport>(report.HttpStatus, report, HealthJsonContext.Default.HealthReport);
    }
}
