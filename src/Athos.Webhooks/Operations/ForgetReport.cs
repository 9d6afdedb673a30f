namespace Athos.Webhooks.Operations;

/// <summary>
/// What <c>forget</c> reports: what was removed, what expires by itself (soft-deleted versions), when the tombstone was
/// laid and until when it is kept, and the <c>RowKey</c> of the <c>erased</c> change.
/// </summary>
internal sealed record ForgetReport(string CallId, IReadOnlyList<string> Removed, IReadOnlyList<string> Remaining, DateTimeOffset ErasedAt, DateTimeOffset TombstoneKeptUntil, string? ErasedChange);

/// <summary>What lifting a tombstone reports: whether a tombstone was lifted and, if so, when the call had been erased.</summary>
internal sealed record RestoreReport(string CallId, bool Restored, DateTimeOffset? ErasedAt);

/// <summary>An erasure or restore that did not finish because the call's rows kept changing under it: what storage said.</summary>
internal sealed record ConflictReport(string CallId, string Conflict);
