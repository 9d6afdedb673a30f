using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Athos.Webhooks.AthosApi;

namespace Athos.Webhooks.Webhooks;

/// <summary>Reads a verified webhook body into a <see cref="WebhookEvent"/>, naming by code and field what is wrong.</summary>
internal static class WebhookEventParser
{

    /// <summary>
    /// Reads a verified body: the event, or an event type this build does not handle, or a 400 naming what is wrong.
    /// </summary>
    public static WebhookEventParseResult Parse(ReadOnlyMemory<byte> body)
    {
        if (!Utf8.IsValid(body.Span))
        {
            return WebhookEventParseResult.Rejected(WebhookResult.Reject(400, WebhookErrorCodes.InvalidJson, "The body is not valid UTF-8."));
        }

        try
        {
            return ParseDocument(body);
        }
        catch (InvalidOperationException ex)
        {
            // A string escape that decodes to invalid text (a lone surrogate, say) surfaces only when it is read.
            return WebhookEventParseResult.Rejected(WebhookResult.Reject(400, WebhookErrorCodes.InvalidJson, $"The body holds text that cannot be decoded: {ex.Message}"));
        }
    }

    private static WebhookEventParseResult ParseDocument(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            return WebhookEventParseResult.Rejected(WebhookResult.Reject(400, WebhookErrorCodes.InvalidJson, $"The body is not valid JSON: {ex.Message}"));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return WebhookEventParseResult.Rejected(WebhookResult.Reject(400, WebhookErrorCodes.NotAnObject, $"The body must be a JSON object; it is {root.ValueKind}."));
            }

            var requestId = OptionalString(root, "requestId");
            if (!TryRequired(root, "event", JsonValueKind.String, out var eventElement, out var rejection))
            {
                return WebhookEventParseResult.Rejected(rejection, requestId);
            }

            var eventType = eventElement.GetString()!;
            if (eventType != WebhookEventTypes.CallScored)
            {
                return WebhookEventParseResult.Unhandled(eventType, requestId);
            }

            if (!TryRequired(root, "success", JsonValueKind.True, out var success, out rejection)
                || !TryRequired(root, "callId", JsonValueKind.String, out var callIdElement, out rejection)
                || !TryRequired(root, "occurredAt", JsonValueKind.String, out var occurredAtElement, out rejection))
            {
                return WebhookEventParseResult.Rejected(rejection, requestId);
            }

            if (!CallId.TryParse(callIdElement.GetString(), out var callId, out var callIdError))
            {
                return WebhookEventParseResult.Rejected(WebhookResult.Reject(400, WebhookErrorCodes.InvalidCallId, callIdError, "callId"), requestId);
            }

            if (!DateTimeOffset.TryParse(occurredAtElement.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var occurredAt))
            {
                return WebhookEventParseResult.Rejected(WebhookResult.Reject(400, WebhookErrorCodes.InvalidField, "occurredAt must be an ISO 8601 date-time.", "occurredAt"), requestId);
            }

            // Optional fields are read leniently: a newer Athos may rename or add them, and a failed call's only
            // record must not be refused over a label. The customer's own ids are platformAgentId/platformAgencyId
            // in the current contract and externalUserId/externalAgencyId in the early one.
            return WebhookEventParseResult.Parsed(new WebhookEvent(
                eventType,
                success.GetBoolean(),
                callId,
                occurredAt,
                OptionalString(root, "source"),
                OptionalString(root, "platformAgentId") ?? OptionalString(root, "externalUserId"),
                OptionalString(root, "platformAgencyId") ?? OptionalString(root, "externalAgencyId"),
                OptionalString(root, "agentId"),
                OptionalString(root, "agencyId"),
                requestId,
                OptionalString(root, "reason"),
                OptionalString(root, "reasonMessage")));
        }
    }

    private static bool TryRequired(JsonElement root, string name, JsonValueKind kind, out JsonElement value, out WebhookResult rejection)
    {
        rejection = null!;
        if (!root.TryGetProperty(name, out value) || value.ValueKind == JsonValueKind.Null)
        {
            rejection = WebhookResult.Reject(400, WebhookErrorCodes.MissingField, $"The body has no '{name}'.", name);
            return false;
        }

        var matches = kind == JsonValueKind.True ? value.ValueKind is JsonValueKind.True or JsonValueKind.False : value.ValueKind == kind;
        if (!matches)
        {
            var expected = kind == JsonValueKind.True ? "a boolean" : "a string";
            rejection = WebhookResult.Reject(400, WebhookErrorCodes.InvalidField, $"'{name}' must be {expected}; it is {value.ValueKind}.", name);
            return false;
        }

        return true;
    }

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
