using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Athos.Webhooks.Hosting;

/// <summary>
/// The HTTP face of the product as the Functions app's HTTP triggers call it, one method per route. The local runner maps
/// the same handlers onto Kestrel (<see cref="AthosHttpEndpoints"/>), so that both hosts answer byte for byte alike. Each
/// answer is an <see cref="IActionResult"/> (what Functions' ASP.NET Core integration executes) that is also an
/// <see cref="IResult"/>.
/// </summary>
public interface IAthosHttpHandlers
{
    /// <summary><c>POST /api/athos/webhook</c> (and its keyed twin): verifies, records and queues one delivery, reading the raw body once.</summary>
    Task<IActionResult> ReceiveWebhookAsync(HttpRequest request, CancellationToken cancellationToken);

    /// <summary><c>GET /api/athos/health</c>: 200 healthy or degraded, 503 unhealthy, from stored state only.</summary>
    Task<IActionResult> CheckHealthAsync(CancellationToken cancellationToken);

    /// <summary><c>POST /api/athos/backfill</c>: starts a backfill (<c>{"from","to","sources"?}</c>) and answers 202 with its job.</summary>
    Task<IActionResult> StartBackfillAsync(HttpRequest request, CancellationToken cancellationToken);

    /// <summary><c>GET /api/athos/backfill/{jobId}</c>: a backfill's progress.</summary>
    Task<IActionResult> GetBackfillAsync(string jobId, CancellationToken cancellationToken);
}
