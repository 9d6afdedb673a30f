using Athos.Webhooks.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Athos.Webhooks.Functions;

/// <summary>
/// <c>POST /api/athos/webhook</c>: Athos's <c>call.scored</c> deliveries. Anonymous, because the signature is the
/// authentication; the receiver reads the raw body once.
/// </summary>
public sealed class AthosWebhookFunction(WebhookReceiver receiver)
{
    [Function("AthosWebhook")]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "athos/webhook")] HttpRequest request,
        CancellationToken cancellationToken) =>
        await WebhookHttpEndpoint.HandleAsync(request, receiver, cancellationToken);
}
