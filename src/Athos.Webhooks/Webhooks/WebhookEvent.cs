using Athos.Webhooks.AthosApi;

namespace Athos.Webhooks.Webhooks;

/// <summary>A verified <c>call.scored</c> event, its required fields checked (<see cref="WebhookEventParser"/> reads it).</summary>
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
    string? ReasonMessage);
