namespace Athos.Webhooks.AthosApi;

/// <summary>Athos's error body: <c>{"error":{"code","message","requestId"}}</c>.</summary>
internal sealed record AthosErrorEnvelope(AthosError? Error);

internal sealed record AthosError(string? Code, string? Message, string? RequestId);
