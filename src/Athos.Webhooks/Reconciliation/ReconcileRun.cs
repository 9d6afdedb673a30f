namespace Athos.Webhooks.Reconciliation;

/// <summary>How a reconcile run ended.</summary>
public enum ReconcileStatus
{
    Succeeded,

    /// <summary>Listing or queuing failed; the watermark did not move, so the next run covers the window again.</summary>
    Failed,

    /// <summary>Another run held the lock.</summary>
    Skipped,
}

/// <summary>The summary of one run, stored in <c>AthosState</c> and logged.</summary>
public sealed record ReconcileRun
{
    public required ReconcileStatus Status { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>The listed window: <c>from</c> = watermark − overlap, <c>to</c> = the run's start.</summary>
    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public int Pages { get; init; }

    public int Listed { get; init; }

    /// <summary>Listed calls with no row in <c>AthosCalls</c>.</summary>
    public int Missing { get; init; }

    /// <summary>Listed calls whose stored version is older than the listed <c>scoredAt</c> (or only a failure).</summary>
    public int Stale { get; init; }

    public int Queued { get; init; }

    /// <summary>List requests made (each page, including one that failed).</summary>
    public int AthosRequests { get; init; }

    public int Errors { get; init; }

    public string? Error { get; init; }
}
