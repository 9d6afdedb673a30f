namespace Athos.Webhooks.AthosApi;

/// <summary>The filters of <c>GET /calls</c>. <see cref="From"/> and <see cref="To"/> bound <c>endedAt</c>, both inclusive.</summary>
public sealed record CallListQuery(DateTimeOffset From, DateTimeOffset? To = null)
{
    /// <summary>The largest page Athos serves.</summary>
    public const int MaxPageSize = 100;

    public string? Source { get; init; }

    public string? ExternalUserId { get; init; }

    public string? ExternalAgencyId { get; init; }

    /// <summary>Page size, 1–100.</summary>
    public int Limit { get; init; } = MaxPageSize;
}
