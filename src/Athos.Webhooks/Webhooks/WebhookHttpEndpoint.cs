using System.Diagnostics;
using Athos.Webhooks.Hosting;
using Athos.Webhooks.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Athos.Webhooks.Webhooks;

/// <summary>
/// The HTTP face of <see cref="WebhookReceiver"/>, shared by the Functions app (ASP.NET Core integration) and the
/// local runner (Kestrel) so that both answer byte for byte alike.
/// </summary>
public static class WebhookHttpEndpoint
{
    /// <summary>The path Athos is given: <c>https://&lt;app&gt;/api/athos/webhook</c>.</summary>
    public const string Path = "/api/athos/webhook";

    /// <summary>Translates the request, runs the receiver once over the raw body, and returns the answer to write.</summary>
    public static Task<JsonHttpResult<WebhookResponseBody>> HandleAsync(HttpRequest request, WebhookReceiver receiver, CancellationToken cancellationToken) =>
        HandleAsync(request, receiver, null, cancellationToken);

    /// <summary>As above, counting the delivery and its ACK duration in <paramref name="metrics"/>.</summary>
    public static async Task<JsonHttpResult<WebhookResponseBody>> HandleAsync(HttpRequest request, WebhookReceiver receiver, AthosMetrics? metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(receiver);
        var started = Stopwatch.GetTimestamp();
        var outcome = await receiver.ReceiveAsync(
            new WebhookRequest(
                request.ContentType,
                request.Headers[WebhookSignature.HeaderName].ToString(),
                request.Headers[WebhookRequest.WebhookIdHeader].ToString(),
                request.ContentLength,
                request.Body),
            cancellationToken);
        metrics?.DeliveryAnswered(outcome, Stopwatch.GetElapsedTime(started));
        return new JsonHttpResult<WebhookResponseBody>(outcome.StatusCode, new WebhookResponseBody(outcome.Status, outcome.Error), WebhookJsonContext.Default.WebhookResponseBody, outcome.RetryAfter);
    }

    /// <summary>Maps <c>POST /api/athos/webhook</c> (the local runner and tests).</summary>
    public static IEndpointConventionBuilder MapAthosWebhook(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost(Path, (HttpRequest request, WebhookReceiver receiver, AthosMetrics metrics, CancellationToken cancellationToken) => HandleAsync(request, receiver, metrics, cancellationToken));
}
