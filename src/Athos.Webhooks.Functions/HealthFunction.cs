using Athos.Webhooks.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Athos.Webhooks.Functions;

/// <summary>
/// <c>GET /api/athos/health</c>, with a function key: 200 healthy or degraded, 503 unhealthy, from stored state only
/// (no Athos request per probe), answered by the same endpoint class as the local runner's.
/// </summary>
public sealed class HealthFunction(IAthosHttpHandlers http)
{
    public const string Name = "Health";

    [Function(Name)]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "athos/health")] HttpRequest request,
        CancellationToken cancellationToken) =>
        await http.CheckHealthAsync(cancellationToken);
}
