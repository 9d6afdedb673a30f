namespace Athos.Webhooks.Webhooks;

/// <summary>What the receiver needs of an HTTP request, independent of the host that received it.</summary>
/// <param name="ContentType">The <c>Content-Type</c> header.</param>
/// <param name="Signature">The <c>X-Athos-Signature</c> header.</param>
/// <param name="WebhookId">The <c>X-Athos-Webhook-Id</c> header.</param>
/// <param name="ContentLength">The <c>Content-Length</c> header, when sent.</param>
/// <param name="Body">The raw body, read once and no further than the size limit.</param>
internal sealed record WebhookRequest(string? ContentType, string? Signature, string? WebhookId, long? ContentLength, Stream Body);
