namespace Athos.Webhooks.Enrichment;

/// <summary>What became of a work item. Recorded in the delivery ledger (for webhook items) and logged.</summary>
public enum EnrichmentOutcome
{
    /// <summary>A newer version was stored (blob and rows).</summary>
    Stored,

    /// <summary>The rows already held this version or a newer one: nothing was written.</summary>
    Unchanged,

    /// <summary>Athos answered <c>CALL_NOT_FOUND</c>: nothing stored, the item completes.</summary>
    NotFound,

    /// <summary>A scoring failure was recorded as a <c>failed</c> row.</summary>
    FailureRecorded,

    /// <summary>A scoring failure arrived for a call that already has a score, which wins.</summary>
    FailureIgnored,

    /// <summary>The same webhook delivery was already processed, or is being processed by another message.</summary>
    Duplicate,
}

public static class EnrichmentOutcomeNames
{
    /// <summary>The snake_case name stored in the delivery ledger.</summary>
    public static string ToStorageName(this EnrichmentOutcome outcome) => outcome switch
    {
        EnrichmentOutcome.Stored => "stored",
        EnrichmentOutcome.Unchanged => "unchanged",
        EnrichmentOutcome.NotFound => "not_found",
        EnrichmentOutcome.FailureRecorded => "failure_recorded",
        EnrichmentOutcome.FailureIgnored => "failure_ignored",
        EnrichmentOutcome.Duplicate => "duplicate",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}
