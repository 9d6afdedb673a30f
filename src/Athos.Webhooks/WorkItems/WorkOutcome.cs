using Athos.Webhooks.Storage;

namespace Athos.Webhooks.WorkItems;

/// <summary>What became of a work item. Recorded in the delivery ledger (for webhook items) and logged.</summary>
internal enum WorkOutcome
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

    /// <summary>A backfill page was listed and its missing calls queued.</summary>
    PageProcessed,

    /// <summary>Re-queued with a delay (a long <c>Retry-After</c>, or Athos unavailable through every attempt).</summary>
    Deferred,

    /// <summary>Out of attempts: kept in <c>AthosParkedWork</c> with the reason, for an operator to redrive.</summary>
    Parked,

    /// <summary>
    /// The delivery's signed content (<c>t.body</c>) was already claimed under another webhook id: a replay of a captured
    /// delivery, done nothing about.
    /// </summary>
    Replayed,

    /// <summary>A recording could not be copied for good (too large, a refused host, the call gone): its row says why.</summary>
    RecordingFailed,

    /// <summary>
    /// The call was erased (<c>forget</c>; its tombstone stands): nothing of it is stored, whatever the item brought, and
    /// the delivery's ledger rows are deleted again.
    /// </summary>
    Erased,
}

/// <summary>The stored names of <see cref="WorkOutcome"/>: the snake_case that telemetry and earlier ledger rows carry.</summary>
internal static class WorkOutcomeNames
{
    internal static readonly StoredNames<WorkOutcome> Names = new(
    [
        (WorkOutcome.Stored, "stored"),
        (WorkOutcome.Unchanged, "unchanged"),
        (WorkOutcome.NotFound, "not_found"),
        (WorkOutcome.FailureRecorded, "failure_recorded"),
        (WorkOutcome.FailureIgnored, "failure_ignored"),
        (WorkOutcome.Duplicate, "duplicate"),
        (WorkOutcome.Replayed, "replayed"),
        (WorkOutcome.PageProcessed, "page_processed"),
        (WorkOutcome.Deferred, "deferred"),
        (WorkOutcome.Parked, "parked"),
        (WorkOutcome.RecordingFailed, "recording_failed"),

        (WorkOutcome.Erased, "erased"),
    ]);

    /// <summary>The snake_case name of an outcome, as telemetry carries it.</summary>
    public static string ToStorageName(this WorkOutcome outcome) => Names.NameOf(outcome);
}
