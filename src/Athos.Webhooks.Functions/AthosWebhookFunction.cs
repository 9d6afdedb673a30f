using Athos.Webhooks.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Athos.Webhooks.Functions;

/// <summary>
/// <c>POST /api/athos/webhook</c>: Athos's <c>call.scored</c> deliveries. Anonymous, because the signature is the
/// authentication; the receiver reads the raw body once. <c>POST /api/athos/webhook/keyed</c> is the same at function
/// level: with a function key in the URL given to Athos, the host refuses unkeyed requests before the app runs, and the
/// anonymous function is switched off (<c>webhookRequiresFunctionKey</c>; docs/security.md weighs it).
/// </summary>
public sealed class AthosWebhookFunction(IAthosHttpHandlers http)
{
    [Function("AthosWebhook")]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "athos/webhook")] HttpRequest request,
        CancellationToken cancellationToken) =>
        await http.ReceiveWebhookAsync(request, cancellationToken);

    [Function("AthosWebhookKeyed")]
    public async Task<IActionResult> RunKeyedAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "athos/webhook/keyed")] HttpRequest request,
        CancellationToken cancellationToken) =>
        await http.ReceiveWebhookAsync(request, cancellationToken);
}
