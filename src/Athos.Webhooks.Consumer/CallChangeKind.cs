namespace Athos.Webhooks.Consumer;

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

    /// <summary>
    /// <c>recording_archived</c>: the recording of the stored version was copied into <c>athos-recordings</c>, after
    /// the version itself was stored (the version is unchanged; <c>RecordingStatus</c> is now <c>archived</c>).
    /// </summary>
    RecordingArchived,

    /// <summary>
    /// <c>erased</c>: the call was erased here (<c>forget</c>, a data subject's request): delete your copy. The change
    /// carries the call id only, and the call reads as none from now on.
    /// </summary>
    Erased,
}

/// <summary>
/// The stored names of <see cref="CallChangeKind"/> (<see cref="ChangeKinds"/>), declared once. A name this version does not
/// know is read as <see cref="CallChangeKind.Rescored"/>: a newer version of the call, which is what any change is to a reader.
/// </summary>
internal static class CallChangeKindNames
{
    private static readonly (CallChangeKind Kind, string Name)[] Names =
    [
        (CallChangeKind.Created, ChangeKinds.Created),
        (CallChangeKind.Rescored, ChangeKinds.Rescored),
        (CallChangeKind.ScoredAfterFailure, ChangeKinds.ScoredAfterFailure),
        (CallChangeKind.Failed, ChangeKinds.Failed),
        (CallChangeKind.RecordingArchived, ChangeKinds.RecordingArchived),
        (CallChangeKind.Erased, ChangeKinds.Erased),
    ];

    /// <summary>The name written for <paramref name="kind"/>.</summary>
    public static string NameOf(CallChangeKind kind) =>
        Array.FindIndex(Names, n => n.Kind == kind) is var i and >= 0 ? Names[i].Name : throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a CallChangeKind");

    public static CallChangeKind Read(string? name) =>
        Array.FindIndex(Names, n => n.Name == name) is var i and >= 0 ? Names[i].Kind : CallChangeKind.Rescored;
}
