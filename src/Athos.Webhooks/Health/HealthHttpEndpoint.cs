using Athos.Webhooks.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Athos.Webhooks.Health;

/// <summary>
/// <c>GET /api/athos/health</c>, shared by the Functions app (function key) and the local runner (loopback, open), so
/// that both answer alike: 200 with <c>healthy</c> or <c>degraded</c>, 503 with <c>unhealthy</c>; from stored state
/// only, so a probe never costs an Athos request.
/// </summary>
public static class HealthHttpEndpoint
{
    public const string Path = "/api/athos/health";

    public static async Task<JsonHttpResult> HandleAsync(PipelineHealth health, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(health);
        var report = await health.CheckAsync(cancellationToken);
        return new JsonHttpResult<HealthReport>(report.HttpStatus, report, HealthJsonContext.Default.HealthReport);
    }

    /// <summary>Maps <c>GET /api/athos/health</c> (the local runner and tests).</summary>
    public static IEndpointConventionBuilder MapAthosHealth(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(Path, (PipelineHealth health, CancellationToken cancellationToken) => HandleAsync(health, cancellationToken));
}
