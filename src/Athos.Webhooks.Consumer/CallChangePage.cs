namespace Athos.Webhooks.Consumer;

/// <summary>What one <see cref="CallChangeFeed.ReadChangesAsync"/> returned.</summary>
/// <param name="Changes">The changes after the checkpoint given, in write order (per call, in the order its versions were stored).</param>
/// <param name="Checkpoint">Where to resume next time: store it once the changes are processed (opaque).</param>
/// <param name="HasMore">Whether more changes are readable now; false once caught up to the read margin.</param>
public sealed record CallChangePage(IReadOnlyList<CallChange> Changes, string Checkpoint, bool HasMore);
