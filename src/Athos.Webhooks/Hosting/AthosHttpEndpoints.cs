using Athos.Webhooks.Health;
using Athos.Webhooks.Http;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Athos.Webhooks.Hosting;

/// <summary>
/// The HTTP routes of the Functions app, mapped for a host that serves them itself (the local runner's Kestrel, tests)
/// through the same handlers as <see cref="IAthosHttpHandlers"/>; their paths, the header Athos names a delivery with,
/// and the one error shape every HTTP error of either host has.
/// </summary>
public static class AthosHttpEndpoints
{
    /// <summary>The path Athos is given: <c>https://&lt;app&gt;/api/athos/webhook</c>.</summary>
    public const string WebhookPath = WebhookHttpEndpoint.Path;

    /// <summary>
    /// The same route at function level, for a deployment that gives Athos a URL with a function key (<c>?code=…</c>) so
    /// that the host refuses unkeyed requests before the app runs (<c>webhookRequiresFunctionKey</c> in infra/).
    /// </summary>
    public const string KeyedWebhookPath = WebhookHttpEndpoint.KeyedPath;

    /// <summary>Athos's id of a delivery, the same on every retry of it (a sender sets it: <c>send-test-webhook</c>).</summary>
    public const string WebhookIdHeader = WebhookHttpEndpoint.WebhookIdHeader;

    /// <summary>The pipeline's health: 200 healthy or degraded, 503 unhealthy.</summary>
    public const string HealthPath = HealthHttpEndpoint.Path;

    /// <summary>Maps <c>POST /api/athos/webhook</c>.</summary>
    public static IEndpointConventionBuilder MapAthosWebhook(this IEndpointRouteBuilder endpoints) => endpoints.MapAthosWebhook(WebhookPath);

    /// <summary>Maps the webhook at <paramref name="path"/> (<see cref="KeyedWebhookPath"/>, the keyed route).</summary>
    public static IEndpointConventionBuilder MapAthosWebhook(this IEndpointRouteBuilder endpoints, string path) =>
        endpoints.MapPost(path, (HttpRequest request, WebhookReceiver receiver, CancellationToken cancellationToken) => WebhookHttpEndpoint.HandleAsync(request, receiver, cancellationToken));

    /// <summary>Maps <c>GET /api/athos/health</c>.</summary>
    public static IEndpointConventionBuilder MapAthosHealth(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(HealthPath, (PipelineHealth health, CancellationToken cancellationToken) => HealthHttpEndpoint.HandleAsync(health, cancellationToken));

    /// <summary>Maps <c>POST /api/athos/backfill</c> and <c>GET /api/athos/backfill/{jobId}</c> as one group, to which the runner adds its protection.</summary>
    public static RouteGroupBuilder MapAthosBackfill(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(BackfillHttpEndpoint.Path);
        group.MapPost(string.Empty, (HttpRequest request, Backfiller backfiller, CancellationToken cancellationToken) => BackfillHttpEndpoint.StartAsync(request, backfiller, cancellationToken));
        group.MapGet("/{jobId}", (string jobId, Backfiller backfiller, CancellationToken cancellationToken) => BackfillHttpEndpoint.GetAsync(jobId, backfiller, cancellationToken));
        return group;
    }

    /// <summary>
    /// An error answer, <c>{"error":{"code","message","field"?}}</c>: the shape of every HTTP error either host gives, the
    /// runner's key refusals included.
    /// </summary>
    public static IResult Error(int statusCode, string code, string message) => ErrorBody.Result(statusCode, code, message);
}
