using System.Text.Json.Serialization;

namespace Athos.Webhooks.AthosApi;

/// <summary>One page of <c>GET /calls</c>: rows newest first, and the cursor of the next page (<see langword="null"/> on the last).</summary>
internal sealed record CallPage
{
    public IReadOnlyList<CallSummary> Data { get; init; } = [];

    public string? NextCursor { get; init; }

    /// <summary>Athos's <c>X-Athos-Request-Id</c> of the request that served this page (logged with anything odd in it).</summary>
    [JsonIgnore]
    public string? RequestId { get; init; }
}
