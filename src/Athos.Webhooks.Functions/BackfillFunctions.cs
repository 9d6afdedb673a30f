using Athos.Webhooks.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Athos.Webhooks.Functions;

/// <summary>
/// Start a backfill and read its progress. Admin level: only the host's master key may call them; the work itself
/// runs on the queue, never inside the request.
/// </summary>
public sealed class BackfillFunctions(IAthosHttpHandlers http)
{
    [Function("StartBackfill")]
    public async Task<IActionResult> StartAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "athos/backfill")] HttpRequest request,
        CancellationToken cancellationToken) =>
        await http.StartBackfillAsync(request, cancellationToken);

    [Function("GetBackfill")]
    public async Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "athos/backfill/{jobId}")] HttpRequest request,
        string jobId,
        CancellationToken cancellationToken) =>
        await http.GetBackfillAsync(jobId, cancellationToken);
}
