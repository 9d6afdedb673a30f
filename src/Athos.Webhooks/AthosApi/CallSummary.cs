using System.Text.Json;
using System.Text.Json.Serialization;

namespace Athos.Webhooks.AthosApi;

/// <summary>A list row of <c>GET /calls</c> (Athos's SlimCall): a scored call without score or transcript.</summary>
/// <remarks>
/// Everything but <see cref="Id"/> is nullable or tolerant: newer Athos versions rename the rep fields and add sources,
/// and unknown fields land in <see cref="AdditionalProperties"/> instead of breaking the parse.
/// </remarks>
public record CallSummary
{
    public required string Id { get; init; }

    public string? Source { get; init; }

    public string? ExternalUserId { get; init; }

    public string? ExternalAgencyId { get; init; }

    public string? DrillKey { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public int? DurationSec { get; init; }

    public DateTimeOffset? ScoredAt { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
