using Athos.Webhooks.Changes;
using Athos.Webhooks.Storage;
using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Writing;

/// <summary>What a write of a call's rows did, and the <c>AthosCalls</c> row it compared with (null when there was none).</summary>
internal readonly record struct RowWriteResult(RowWriteOutcome Outcome, CallRow? Stored);

/// <summary>
/// What a writer already knows of the stored <c>AthosCalls</c> row, sparing its first read: nothing
/// (<see cref="Unknown"/>, it reads), that there is probably none (<see cref="ProbablyAbsent"/>, it inserts, and a
/// conflict sends it back to reading), or the row a caller has just read (<see cref="Of"/>, its ETag guards the write).
/// </summary>
internal readonly record struct PriorRow
{
    private PriorRow(bool known, CallRow? row) => (Known, Row) = (known, row);

    public static PriorRow Unknown => default;

    public static PriorRow ProbablyAbsent => new(known: true, row: null);

    public bool Known { get; }

    public CallRow? Row { get; }

    public static PriorRow Of(CallRow? row) => new(known: true, row);
}

/// <summary>What a write of a call's rows did.</summary>
internal enum RowWriteOutcome
{
    /// <summary>The rows now hold this version.</summary>
    Stored,

    /// <summary>The rows already held this version (under the current schema): nothing was written.</summary>
    Unchanged,

    /// <summary>The rows hold a newer version (or a score, for a failure): nothing was written.</summary>
    Superseded,

    /// <summary>
    /// The call was erased (its tombstone stands): nothing is stored, and the index rows put before the commit are deleted
    /// again. The caller deletes the blobs it put.
    /// </summary>
    Erased,
}

/// <summary>
/// One write of a call's rows as <see cref="CallRowWriter"/> carries it through its attempts: decided
/// (<see cref="Result"/>), or to be committed over <see cref="Stored"/>.
/// </summary>
internal sealed class RowWrite
{
    internal RowWrite(CallRow incoming, CallVersion version) => (Incoming, Version) = (incoming, version);

    /// <summary>The row to write.</summary>
    public CallRow Incoming { get; }

    /// <summary>The <c>AthosCalls</c> row the commit replaces (null: there is none), once planned to write.</summary>
    public CallRow? Stored { get; private set; }

    /// <summary>What the write came to; null while it is still to be committed.</summary>
    public RowWriteResult? Result { get; private set; }

    internal CallVersion Version { get; }

    /// <summary>The same version stored under an older schema: its change is logged already.</summary>
    internal bool Upgrade { get; private set; }

    internal int Attempt { get; set; }

    /// <summary>Whether an attempt put index rows (forward), which a tombstone met later takes back.</summary>
    internal bool IndexRowsPut { get; set; }

    internal RowWrite Over(CallRow? stored, bool upgrade)
    {
        (Stored, Upgrade) = (stored, upgrade);
        return this;
    }

    internal RowWrite Done(RowWriteResult result)
    {
        Result = result;
        return this;
    }
}

/// <summary>
/// Writes a call's row to <c>AthosCalls</c> and its index rows to <c>AthosCallsByUser</c> and <c>AthosCallsByDay</c>,
/// so that they converge to the newest version whatever the duplicates and the order.
/// </summary>
/// <remarks>
/// The <c>AthosCalls</c> row is the arbiter: it is read, compared (<see cref="RowVersion"/>) and written with an ETag
/// condition, last. Before that commit the archive blob is written, the index rows are put forward at their keys
/// (<see cref="CallIndex"/>: never over a newer row) and the replaced version's rows at other keys are deleted (unless
/// newer), so that a crash before the commit leaves the old version in place and the retry redoes everything. After
/// the commit the writer settles index rows of its own version to its values; a writer that loses deletes what it may
/// have put at keys the winner does not use. No writer ever re-projects the index from a row it read earlier, which is
/// what let an index keep v3 beside a main row at v4.
/// A caller that puts blobs before the commit (the enricher's archive blob) plans the write, puts them and commits,
/// the writer putting the index rows meanwhile; a lost race hands it a new plan.
/// The commit also carries the key of the version's change in <c>AthosCallChanges</c>, which is appended right after
/// it, or by the next writer of the same version if this one died in between (<see cref="ChangeLog"/>).
/// An erased call's row is a tombstone (<c>Erasure.Tombstones</c>): a writer that reads it stores nothing, and one that
/// guessed there was no row meets it as its insert's conflict, so a new call pays nothing for the check.
/// </remarks>
internal sealed class CallRowWriter(TableServiceClient tables, CallIndex index, ChangeLog changes)
{
    private const int MaxAttempts = 5;

    private readonly TableClient _calls = tables.GetTableClient(StorageNames.CallsTable);

    /// <summary>
    /// Writes <paramref name="incoming"/> (a main-table row) if it is newer than what is stored, or the same version
    /// stored under an older <see cref="CallRow.SchemaVersion"/> (which gains the new columns). A writer with blobs to
    /// put before the commit plans (<see cref="PlanAsync"/>) and commits (<see cref="CommitAsync"/>) itself.
    /// </summary>
    public async Task<RowWriteResult> WriteAsync(CallRow incoming, PriorRow prior, CancellationToken cancellationToken)
    {
        var write = await PlanAsync(incoming, prior, cancellationToken);
        while (write.Result is null)
        {
            write = await CommitAsync(write, Task.CompletedTask, cancellationToken);
        }

        return write.Result.Value;
    }

    /// <summary>
    /// Reads the stored row (unless <paramref name="prior"/> knows it, or guesses there is none: every write before the
    /// commit only moves forward, so a wrong guess costs requests, never a newer version) and compares: the plan either
    /// has its <see cref="RowWrite.Result"/> already, or is to be committed over <see cref="RowWrite.Stored"/>.
    /// </summary>
    public Task<RowWrite> PlanAsync(CallRow incoming, PriorRow prior, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        incoming.PartitionKey = incoming.CallId;
        incoming.RowKey = string.Empty;
        var write = new RowWrite(incoming, CallVersion.Of(incoming));
        return prior.Known ? DecideAsync(write, prior.Row, cancellationToken) : ReadAndDecideAsync(write, cancellationToken);
    }

    /// <summary>
    /// Commits a planned write once <paramref name="beforeCommit"/> (what the caller puts before the commit: the archive
    /// blob) is done: the index rows are put forward meanwhile, so a call's latency is the slowest of them, not their sum.
    /// A lost race reads and compares again, and returns the new plan.
    /// </summary>
    public async Task<RowWrite> CommitAsync(RowWrite write, Task beforeCommit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(beforeCommit);
        var (incoming, stored) = (write.Incoming, write.Stored);
        var formerKeys = stored is null ? [] : CallIndex.KeysOf(stored);
        write.IndexRowsPut = true;
        var putting = index.PutForwardAsync(incoming, formerKeys, cancellationToken);
        await Task.WhenAll(beforeCommit, putting);
        var puts = await putting;
        await index.RemoveStaleAsync(formerKeys, incoming, cancellationToken);

        changes.Stamp(incoming, stored);
        try
        {
            var committed = stored is null
                ? await _calls.AddEntityAsync(incoming, cancellationToken)
                : await _calls.UpdateEntityAsync(incoming, stored.ETag, TableUpdateMode.Replace, cancellationToken);
            incoming.ETag = committed.Headers.ETag ?? default;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Another writer committed first; read again and compare.
            if (++write.Attempt >= MaxAttempts)
            {
                throw new StorageConflictException($"The rows of call {incoming.CallId} kept changing under {MaxAttempts} attempts to write them.");
            }

            return await ReadAndDecideAsync(write, cancellationToken);
        }

        if (write.Upgrade)
        {
            await changes.EnsureLoggedAsync(incoming, cancellationToken);
        }
        else
        {
            await changes.AppendAsync(incoming, cancellationToken);
        }

        await index.SettleAsync(incoming, puts, cancellationToken);
        return write.Done(new RowWriteResult(RowWriteOutcome.Stored, stored));
    }

    private async Task<RowWrite> ReadAndDecideAsync(RowWrite write, CancellationToken cancellationToken) =>
        await DecideAsync(write, await ReadAsync(write.Incoming.CallId, cancellationToken), cancellationToken);

    private async Task<RowWrite> DecideAsync(RowWrite write, CallRow? stored, CancellationToken cancellationToken)
    {
        var incoming = write.Incoming;
        if (stored is { IsErased: true })
        {
            if (write.IndexRowsPut)
            {
                await index.DeleteAsync(CallIndex.KeysOf(incoming), cancellationToken);
            }

            return write.Done(new RowWriteResult(RowWriteOutcome.Erased, stored));
        }

        var comparison = stored is null ? 1 : write.Version.CompareTo(CallVersion.Of(stored));
        var upgrade = comparison == 0 && stored!.SchemaVersion < incoming.SchemaVersion;
        if (comparison < 0 || (comparison == 0 && !upgrade))
        {
            // This attempt, an earlier one, or a run that died may have put rows at keys the stored version does
            // not use (only when the call moved: otherwise this costs nothing).
            await index.RemoveStaleAsync(CallIndex.KeysOf(incoming), stored!, cancellationToken);
            if (comparison == 0)
            {
                await changes.EnsureLoggedAsync(stored!, cancellationToken);
            }

            return write.Done(new RowWriteResult(comparison == 0 ? RowWriteOutcome.Unchanged : RowWriteOutcome.Superseded, stored));
        }

        return write.Over(stored, upgrade);
    }

    /// <summary>
    /// Sets the recording's state on a stored <c>AthosCalls</c> row, unless the row changed since it was read (a newer
    /// version decided its recording's state itself). Index rows do not carry it. A recording now archived is a change of
    /// its own in <c>AthosCallChanges</c> (<see cref="ChangeKinds.RecordingArchived"/>), carried by the same update.
    /// </summary>
    /// <returns>Whether the row was updated (false: it changed or went meanwhile).</returns>
    public async Task<bool> UpdateRecordingAsync(CallRow stored, string? status, string? error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var archived = status == RecordingStatus.Archived && stored.RecordingStatus != RecordingStatus.Archived;
        stored.RecordingStatus = status;
        stored.RecordingError = error;
        if (archived)
        {
            changes.StampRecording(stored);
        }

        try
        {
            // Replace, not merge: a merge cannot remove the previous error.
            var updated = await _calls.UpdateEntityAsync(stored, stored.ETag, TableUpdateMode.Replace, cancellationToken);
            stored.ETag = updated.Headers.ETag ?? default;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Changed or gone meanwhile: its writer has the last word.
            return false;
        }

        if (archived)
        {
            await changes.AppendAsync(stored, cancellationToken);
        }

        return true;
    }

    /// <summary>
    /// Appends the change of <paramref name="stored"/> if the writer that committed it died before it did: what every
    /// path that finds a version stored and writes nothing does (one point read when the change is there).
    /// </summary>
    public Task CompletePendingChangeAsync(CallRow stored, CancellationToken cancellationToken) => changes.EnsureLoggedAsync(stored, cancellationToken);

    /// <summary>The stored <c>AthosCalls</c> row of a call, or <see langword="null"/>.</summary>
    public async Task<CallRow?> ReadAsync(string callId, CancellationToken cancellationToken)
    {
        var response = await _calls.GetEntityIfExistsAsync<CallRow>(callId, string.Empty, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }
}
