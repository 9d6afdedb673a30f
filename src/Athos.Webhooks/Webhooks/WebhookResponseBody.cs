using System.Text.Json;
using System.Text.Json.Serialization;
using Athos.Webhooks.Http;

namespace Athos.Webhooks.Webhooks;

/// <summary>The JSON body of a webhook answer: <c>{"status":…}</c> or <c>{"error":{"code","message","field"}}</c>.</summary>
internal sealed record WebhookResponseBody(string? Status, ApiError? Error);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WebhookResponseBody))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
