using Athos.Webhooks.Http;
using Microsoft.AspNetCore.Http;

namespace Athos.Webhooks.Webhooks;

/// <summary>
/// The HTTP face of <see cref="WebhookReceiver"/>, shared by the Functions app (ASP.NET Core integration) and the
/// local runner (Kestrel, <c>Hosting.AthosHttpEndpoints</c>) so that both answer byte for byte alike.
/// </summary>
internal static class WebhookHttpEndpoint
{
    /// <summary>The path Athos is given: <c>https://&lt;app&gt;/api/athos/webhook</c>.</summary>
    public const string Path = "/api/athos/webhook";

    /// <summary>
    /// The same route at function level, for a deployment that gives Athos a URL with a function key (<c>?code=…</c>) so
    /// that the host refuses unkeyed requests before the app runs (<c>webhookRequiresFunctionKey</c> in infra/).
    /// </summary>
    public const string KeyedPath = Path + "/keyed";

    /// <summary>Athos's id of a delivery, the same on every retry of it.</summary>
    public const string WebhookIdHeader = "X-Athos-Webhook-Id";

    /// <summary>Translates the request, runs the receiver once over the raw body, and returns the answer to write.</summary>
    public static async Task<JsonHttpResult> HandleAsync(HttpRequest request, WebhookReceiver receiver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(receiver);
        var outcome = await receiver.ReceiveAsync(
            new WebhookRequest(
                request.ContentType,
                request.Headers[WebhookSignature.HeaderName].ToString(),
                request.Headers[WebhookHttpEndpoint.WebhookIdHeader].ToString(),
                request.ContentLength,
                request.Body),
            cancellationToken);
        return new JsonHttpResult<WebhookResponseBody>(outcome.StatusCode, new WebhookResponseBody(outcome.Status, outcome.Error), WebhookJsonContext.Default.WebhookResponseBody, outcome.RetryAfter);
    }
}
