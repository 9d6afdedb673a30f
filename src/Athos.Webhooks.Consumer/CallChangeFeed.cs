using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Consumer;

/// <summary>
/// Reads <c>AthosCallChanges</c> incrementally, as a CRM sync or warehouse load does: every change after a checkpoint,
/// in write order, and the checkpoint to resume from next time. docs/schema.md, "Table AthosCallChanges", is the contract.
/// </summary>
/// <remarks>
/// Reads stop <see cref="ReadMargin"/> before now (this reader's clock), which is what makes resuming exact across the
/// app's instances: a change row exists within a bounded time of its stamp, and clocks differ by less than the rest of
/// the margin, so no change can appear behind a checkpoint once it has been returned. The reader's clock is checked
/// against the storage service's (the <c>Date</c> of the responses it reads, no request of its own): a reader more than
/// <see cref="ClockAllowance"/> off is refused before anything is returned. Needs Storage Table Data Reader on
/// <c>AthosCallChanges</c> and <c>AthosCalls</c>.
/// </remarks>
public sealed class CallChangeFeed
{
    /// <summary>
    /// How far behind its own clock a reader stays: 5 minutes. A change row is written at most 1 min 15 s after its stamp
    /// (an insert is made within 30 s of the stamp or moved to a new stamp, and is given 15 s plus the service's 30 s),
    /// clocks of the app's instances and of readers are within <see cref="ClockAllowance"/> (1 minute) of each other
    /// (three such differences can add up), which leaves 45 s to spare.
    /// </summary>
    /// <remarks>The product's writers and <c>verify</c> reason with the same margin (a change is due once it is this old).</remarks>
    public static readonly TimeSpan ReadMargin = TimeSpan.FromMinutes(5);

    /// <summary>How long changes are kept unless the deployment sets <c>ATHOS_CHANGE_RETENTION</c>: 35 days.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(35);

    /// <summary>
    /// How far a reader's clock may be from the storage service's: 1 minute, the one difference of the
    /// <see cref="ReadMargin"/> arithmetic that involves the reader (its clock against the stamping writer's). The app's
    /// instances run on Azure, whose clocks keep well within a second of the service's, so a reader this close to the
    /// service is this close to every writer; a reader further off is refused (<see cref="ClockSkewException"/>), as the
    /// margin would not cover it.
    /// </summary>
    internal static readonly TimeSpan ClockAllowance = TimeSpan.FromMinutes(1);

    // A response's Date has whole seconds: the service's time was within a second after it.
    private static readonly TimeSpan DateResolution = TimeSpan.FromSeconds(1);

    /// <summary>The most changes one call returns (one Table Storage page).</summary>
    public const int MaxPageSize = 1000;

    private readonly TableClient _changes;
    private readonly TableClient _calls;
    private readonly TimeSpan _retention;
    private readonly TimeProvider _time;
    private readonly TimeSpan _margin;

    /// <summary>A reader of the change feed in the account <paramref name="tables"/> addresses.</summary>
    /// <param name="tables">The storage account's table endpoint, with the reader's credential.</param>
    /// <param name="time">The clock the read bound is taken from: <see cref="TimeProvider.System"/> in an application.</param>
    /// <param name="retention">The deployment's <c>ATHOS_CHANGE_RETENTION</c> (<see cref="DefaultRetention"/> unless changed): older checkpoints are refused.</param>
    public CallChangeFeed(TableServiceClient tables, TimeProvider time, TimeSpan? retention = null)
        : this(tables, retention ?? DefaultRetention, time, ReadMargin)
    {
    }

    /// <summary>With another margin: only for a test whose writers are all in one process.</summary>
    internal CallChangeFeed(TableServiceClient tables, TimeSpan retention, TimeProvider time, TimeSpan margin)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(time);
        _changes = tables.GetTableClient(StorageNames.CallChangesTable);
        _calls = tables.GetTableClient(StorageNames.CallsTable);
        _retention = retention;
        _time = time;
        _margin = margin;
    }

    /// <summary>A checkpoint from which the changes stored at or after <paramref name="time"/> are read.</summary>
    public static string CheckpointAt(DateTimeOffset time) => ChangeKeys.Bound(time);

    /// <summary>Whether <paramref name="text"/> has the shape of a checkpoint this feed returns.</summary>
    public static bool IsCheckpoint(string? text) => ChangeKeys.IsCheckpoint(text);

    /// <summary>
    /// The changes after <paramref name="checkpoint"/> (all that are kept when null), at most
    /// <paramref name="maxChanges"/>, and where to resume. Call again while <see cref="CallChangePage.HasMore"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="checkpoint"/> is not a checkpoint.</exception>
    /// <exception cref="CheckpointExpiredException">
    /// <paramref name="checkpoint"/> is older than the retention, or than the last purge: re-sync from the tables.
    /// </exception>
    /// <exception cref="ClockSkewException">
    /// This reader's clock is more than a minute off the storage service's: nothing was read; sync the clock and read
    /// again from the same checkpoint.
    /// </exception>
    public async Task<CallChangePage> ReadChangesAsync(string? checkpoint, int maxChanges = MaxPageSize, CancellationToken cancellationToken = default)
    {
        if (checkpoint is not null && !ChangeKeys.IsCheckpoint(checkpoint))
        {
            throw new ArgumentException($"'{checkpoint}' is not a checkpoint of the change feed: use one it returned, or CheckpointAt(time).", nameof(checkpoint));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxChanges, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxChanges, MaxPageSize);

        var now = _time.GetUtcNow();
        var upper = now - _margin;
        var after = checkpoint ?? string.Empty;
        string filter;
        if (checkpoint is null)
        {
            filter = TableClient.CreateQueryFilter($"PartitionKey le {ChangeKeys.PartitionKey(upper)} and RowKey gt {after} and RowKey lt {ChangeKeys.Bound(upper)}");
        }
        else
        {
            await EnsureKeptAsync(checkpoint, now, cancellationToken);
            var from = ChangeKeys.StampOf(checkpoint);
            filter = TableClient.CreateQueryFilter($"PartitionKey ge {ChangeKeys.PartitionKey(from)} and PartitionKey le {ChangeKeys.PartitionKey(upper)} and RowKey gt {after} and RowKey lt {ChangeKeys.Bound(upper)}");
        }

        var changes = new List<CallChange>();
        var last = after;
        var rows = 0;
        await foreach (var page in _changes.QueryAsync<ChangeRow>(filter, maxPerPage: maxChanges, cancellationToken: cancellationToken).AsPages())
        {
            // The bound came from this reader's clock: what was read up to it is returned only if that clock is right.
            CheckClock(page.GetRawResponse(), now);
            foreach (var row in page.Values)
            {
                last = row.RowKey;
                if (!row.IsVoid)
                {
                    changes.Add(CallChange.From(row));
                }

                if (++rows == maxChanges)
                {
                    return new CallChangePage(changes, last, HasMore: true);
                }
            }
        }

        // Caught up: everything stamped before the margin is read, so the checkpoint moves there (a quiet feed's
        // checkpoint stays recent, and the next read starts where this one looked).
        var caughtUp = ChangeKeys.Bound(upper);
        return new CallChangePage(changes, string.CompareOrdinal(caughtUp, last) > 0 ? caughtUp : last, HasMore: false);
    }

    /// <summary>The stored call, typed (<c>AthosCalls</c>), or null: none stored, or erased.</summary>
    public async Task<AthosCall?> GetCallAsync(string callId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(callId);
        var response = await _calls.GetEntityIfExistsAsync<CallRow>(callId, string.Empty, cancellationToken: cancellationToken);
        return response.HasValue && response.Value!.Status != CallStatus.Erased ? AthosCall.From(response.Value) : null;
    }

    private async Task EnsureKeptAsync(string checkpoint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var position = ChangeKeys.StampOf(checkpoint);
        var keptSince = now - _retention;
        var watermark = await _changes.GetEntityIfExistsAsync<PurgeMarkerRow>(ChangeKeys.PurgePartition, string.Empty, cancellationToken: cancellationToken);
        var purgedBefore = watermark.HasValue ? watermark.Value!.PurgedBefore : null;
        var response = watermark.GetRawResponse();

        // A clock days off would judge the retention wrongly: it is the clock to fix, not the checkpoint.
        CheckClock(response, now);
        if (purgedBefore > keptSince)
        {
            keptSince = purgedBefore.Value;
        }

        if (position < keptSince)
        {
            throw new CheckpointExpiredException(checkpoint, position, keptSince);
        }
    }

    /// <summary>
    /// Throws <see cref="ClockSkewException"/> when <paramref name="response"/>, to a request sent at <paramref name="sent"/>
    /// by this reader's clock, shows that clock more than <see cref="ClockAllowance"/> off the service's whenever the
    /// service dated it between sending and receiving.
    /// </summary>
    private void CheckClock(Response response, DateTimeOffset sent)
    {
        var received = _time.GetUtcNow();

        // The storage service dates every response; without a Date (a proxy that drops it) there is nothing to compare.
        if (response.Headers.Date is not { } serviceTime)
        {
            return;
        }

        var ahead = sent - (serviceTime + DateResolution);
        if (ahead > ClockAllowance)
        {
            throw new ClockSkewException(ahead, serviceTime, sent, ClockAllowance);
        }

        var behind = serviceTime - received;
        if (behind > ClockAllowance)
        {
            throw new ClockSkewException(-behind, serviceTime, received, ClockAllowance);
        }
    }
}
