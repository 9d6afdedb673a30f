using Athos.Webhooks.Http;

namespace Athos.Webhooks.Webhooks;

/// <summary>The receiver's answer: an HTTP status and a small JSON body (<c>status</c>, or <c>error</c>).</summary>
internal sealed record WebhookResult(int StatusCode, string? Status = null, ApiError? Error = null, TimeSpan? RetryAfter = null)
{
    public static WebhookResult Accepted { get; } = new(202, "accepted");

    public static WebhookResult Ignored { get; } = new(200, "ignored");

    public static WebhookResult Reject(int statusCode, string code, string message, string? field = null) =>
        new(statusCode, Error: new ApiError(code, message, field));
}

/// <summary>The error codes the receiver answers with (also listed in docs/operations.md).</summary>
internal static class WebhookErrorCodes
{
    public const string PayloadTooLarge = "payload_too_large";
    public const string MissingSignature = "missing_signature";
    public const string MalformedSignature = "malformed_signature";
    public const string InvalidSignature = "invalid_signature";
    public const string StaleTimestamp = "stale_timestamp";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string MissingWebhookId = "missing_webhook_id";
    public const string InvalidWebhookId = "invalid_webhook_id";
    public const string InvalidJson = "invalid_json";
    public const string NotAnObject = "not_an_object";
    public const string MissingField = "missing_field";
    public const string InvalidField = "invalid_field";
    public const string InvalidCallId = "invalid_call_id";
    public const string StorageUnavailable = "storage_unavailable";
}
