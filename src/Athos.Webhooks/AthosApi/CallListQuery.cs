namespace Athos.Webhooks.AthosApi;

/// <summary>
/// The filters of <c>GET /calls</c>: one source per request (the current contract requires it; the early one accepts
/// <c>roleplay</c>). <see cref="From"/> and <see cref="To"/> are inclusive and bound the source's time axis
/// (<see cref="CallSources.ListTime"/>): <c>endedAt</c> for roleplay, <c>startedAt</c> for real calls.
/// </summary>
internal sealed record CallListQuery(string Source, DateTimeOffset From, DateTimeOffset? To = null)
{
    /// <summary>The largest page Athos serves.</summary>
    public const int MaxPageSize = 100;

    /// <summary>Page size, 1–100.</summary>
    public int Limit { get; init; } = MaxPageSize;
}
