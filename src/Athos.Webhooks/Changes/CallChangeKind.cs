namespace Athos.Webhooks.Changes;

/// <summary>What happened to a call's stored version (<c>ChangeKind</c> in <c>AthosCallChanges</c>).</summary>
public enum CallChangeKind
{
    /// <summary><c>created</c>: the call's first stored version, a score.</summary>
    Created,

    /// <summary><c>rescored</c>: a newer version of a scored call (rescored, or updated by Athos).</summary>
    Rescored,

    /// <summary><c>scored_after_failure</c>: a score replaced a recorded scoring failure.</summary>
    ScoredAfterFailure,

    /// <summary><c>failed</c>: Athos reported that scoring failed (first version, or a later failure report).</summary>
    Failed,
}
