namespace Athos.Webhooks.Webhooks;

/// <summary>
/// What <see cref="WebhookEventParser.Parse"/> read: a <c>call.scored</c> <see cref="Event"/>, or an event type this build
/// does not handle (<see cref="UnhandledEvent"/>), or a 400 <see cref="Rejection"/>; with Athos's <c>requestId</c> once read.
/// </summary>
internal sealed record WebhookEventParseResult(WebhookEvent? Event, string? UnhandledEvent, string? RequestId, WebhookResult? Rejection)
{
    public static WebhookEventParseResult Parsed(WebhookEvent webhookEvent) => new(webhookEvent, null, webhookEvent.RequestId, null);

    public static WebhookEventParseResult Unhandled(string eventType, string? requestId) => new(null, eventType, requestId, null);

    public static WebhookEventParseResult Rejected(WebhookResult rejection, string? requestId = null) => new(null, null, requestId, rejection);
}
