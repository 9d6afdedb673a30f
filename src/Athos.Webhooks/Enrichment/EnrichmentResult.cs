using Athos.Webhooks.AthosApi;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Enrichment;

/// <summary>
/// What enriching one work item did, for the processor, which owns the item's log event (3001), its metrics and what
/// the reconciler learns from it.
/// </summary>
/// <param name="Outcome">How the item ended.</param>
internal sealed record EnrichmentResult(WorkOutcome Outcome)
{
    /// <summary>
    /// Freshness, the headline figure: seconds from Athos's <c>scoredAt</c> to the moment the version's rows were
    /// written, when a scored version was stored.
    /// </summary>
    public double? FreshnessSeconds { get; init; }

    /// <summary>The stored call's source, with <see cref="FreshnessSeconds"/>.</summary>
    public string? Source { get; init; }

    /// <summary>The contract the fetched detail spoke (null when no detail was fetched).</summary>
    public AthosContract? Contract { get; init; }

    /// <summary>Athos's id of the call's rep (current contract), which the processor hands to the roster mirror's look-up.</summary>
    public string? AgentId { get; init; }

    /// <summary>A version scored at <paramref name="scoredAt"/> stored at <paramref name="writtenAt"/>.</summary>
    public static EnrichmentResult Stored(DateTimeOffset? scoredAt, DateTimeOffset writtenAt, string? source, AthosContract contract) =>
        scoredAt is { } scored
            // A clock a little behind Athos's must not report negative freshness.
            ? new(WorkOutcome.Stored) { FreshnessSeconds = Math.Max(0, (writtenAt - scored).TotalSeconds), Source = source, Contract = contract }
            : new(WorkOutcome.Stored) { Contract = contract };
}
