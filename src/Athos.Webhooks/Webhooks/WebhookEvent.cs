using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Athos.Webhooks.AthosApi;

namespace Athos.Webhooks.Webhooks;

/// <summary>A verified <c>call.scored</c> event, its required fields checked.</summary>
internal sealed record WebhookEvent(
    string Event,
    bool Success,
    CallId CallId,
    DateTimeOffset OccurredAt,
    string? Source,
    string? ExternalUserId,
    string? ExternalAgencyId,
    string? AgentId,
    string? AgencyId,
    string? RequestId,
    string? Reason,
    string? ReasonMessage)
{
    public const string CallScored = "call.scored";

    /// <summary>
    /// Reads a verified body. Returns the event, or an event type this build does not handle (<paramref name="unhandledEvent"/>),
    /// or a 400 outcome naming what is wrong.
    /// </summary>
    public static WebhookEvent? Parse(ReadOnlyMemory<byte> body, out string? unhandledEvent, out string? requestId, out WebhookResult? rejection)
    {
        unhandledEvent = null;
        requestId = null;
        rejection = null;
        if (!Utf8.IsValid(body.Span))
        {
            rejection = WebhookResult.Reject(400, WebhookErrorCodes.InvalidJson, "The body is not valid UTF-8.");
            return null;
        }

        try
        {
            return ParseDocument(body, out unhandledEvent, out requestId, out rejection);
        }
        catch (InvalidOperationException ex)
        {
            // A string escape that decodes to invalid text (a lone surrogate, say) surfaces only when it is read.
            rejection = WebhookResult.Reject(400, WebhookErrorCodes.InvalidJson, $"The body holds text that cannot be decoded: {ex.Message}");
            return null;
        }
    }

    private static WebhookEvent? ParseDocument(ReadOnlyMemory<byte> body, out string? unhandledEvent, out string? requestId, out WebhookResult? rejection)
    {
        unhandledEvent = null;
        requestId = null;
        rejection = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            rejection = WebhookResult.Reject(400, WebhookErrorCodes.InvalidJson, $"The body is not valid JSON: {ex.Message}");
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                rejection = WebhookResult.Reject(400, WebhookErrorCodes.NotAnObject, $"The body must be a JSON object; it is {root.ValueKind}.");
                return null;
            }

            requestId = OptionalString(root, "requestId");
            if (!TryRequired(root, "event", JsonValueKind.String, out var eventElement, out rejection))
            {
                return null;
            }

            var eventType = eventElement.GetString()!;
            if (eventType != CallScored)
            {
                unhandledEvent = eventType;
                return null;
            }

            if (!TryRequired(root, "success", JsonValueKind.True, out var success, out rejection)
                || !TryRequired(root, "callId", JsonValueKind.String, out var callIdElement, out rejection)
                || !TryRequired(root, "occurredAt", JsonValueKind.String, out var occurredAtElement, out rejection))
            {
                return null;
            }

            if (!CallId.TryParse(callIdElement.GetString(), out var callId, out var callIdError))
            {
                rejection = WebhookResult.Reject(400, WebhookErrorCodes.InvalidCallId, callIdError, "callId");
                return null;
            }

            if (!DateTimeOffset.TryParse(occurredAtElement.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var occurredAt))
            {
                rejection = WebhookResult.Reject(400, WebhookErrorCodes.InvalidField, "occurredAt must be an ISO 8601 date-time.", "occurredAt");
                return null;
            }

            // Optional fields are read leniently: a newer Athos may rename or add them, and a failed call's only
            // record must not be refused over a label. The customer's own ids are platformAgentId/platformAgencyId
            // in the current contract and externalUserId/externalAgencyId in the early one.
            return new WebhookEvent(
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
                OptionalString(root, "reasonMessage"));
        }
    }

    private static bool TryRequired(JsonElement root, string name, JsonValueKind kind, out JsonElement value, out WebhookResult? rejection)
    {
        rejection = null;
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
