using Athos.Webhooks.Changes;
using Athos.Webhooks.Erasure;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Webhooks;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// The retention of the app's own logs, once a day: webhook delivery records past
/// <c>ATHOS_WEBHOOK_DELIVERY_RETENTION</c>, call changes past <c>ATHOS_CHANGE_RETENTION</c>, and erased calls' tombstones
/// past <c>ATHOS_ERASURE_TOMBSTONE_RETENTION</c> (with the change rows a writer appended just after an erasure), and the
/// reconcile run log past <see cref="ReconcileRunLog.Retention"/>. Each host runs it on a
/// timer of its own, beside the reconciler (<see cref="Schedule"/>), so that it neither waits for a successful reconcile
/// nor holds the reconcile lock.
/// </summary>
/// <remarks>
/// The timer fires hourly and the work is done when the last purge (<c>LastPurgeAt</c> in <c>AthosState</c>) is a day
/// old, so a purge that failed is tried again within the hour; a lock of its own keeps several hosts on one account
/// from purging at once.
/// </remarks>
internal sealed partial class Housekeeping
{
    private readonly LeaseLock _locks;
    private readonly ReconcileStateStore _state;
    private readonly DeliveryRetention _deliveries;
    private readonly CallChangeRetention _changes;
    private readonly Tombstones _tombstones;
    private readonly ReconcileRunLog _runs;
    private readonly TimeProvider _time;
    private readonly ILogger<Housekeeping> _logger;

    public Housekeeping(LeaseLock locks, ReconcileStateStore state, DeliveryRetention deliveries, CallChangeRetention changes, Tombstones tombstones, ReconcileRunLog runs, TimeProvider time, ILogger<Housekeeping> logger)
    {
        _tombstones = tombstones;
        _runs = runs;
        _locks = locks;
        _state = state;
        _deliveries = deliveries;
        _changes = changes;
        _time = time;
        _logger = logger;
    }

    internal const string LockName = "housekeeping";

    /// <summary>Six-field CRON of the housekeeping timer in both hosts: hourly, at minute 45 (away from the rescan's 03:30).</summary>
    public const string Schedule = "0 45 * * * *";

    /// <summary>How often the purge itself runs.</summary>
    internal static readonly TimeSpan Interval = TimeSpan.FromDays(1);

    /// <summary>Purges what is past retention if the last purge is <see cref="Interval"/> old; a storage failure is logged, not thrown.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await using var held = await _locks.TryAcquireAsync(LockName, cancellationToken);
        if (held is null)
        {
            // Another host is purging now.
            return;
        }

        try
        {
            var now = _time.GetUtcNow();
            if ((await _state.GetAsync(cancellationToken)).LastPurgeAt is { } last && now - last < Interval)
            {
                return;
            }

            var purged = await _deliveries.PurgeAsync(now, cancellationToken);
            await _changes.PurgeAsync(now, cancellationToken);
            var lateChanges = await _tombstones.SweepLateChangesAsync(now, cancellationToken);
            var lifted = await _tombstones.ExpireAsync(now, cancellationToken);
            await _runs.PurgeAsync(now, cancellationToken);
            await _state.SavePurgeAsync(now, cancellationToken);
            Log.Purged(_logger, purged);
            Log.TombstonesExpired(_logger, lifted, lateChanges);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            Log.PurgeFailed(_logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.DeliveriesPurged, Level = LogLevel.Information, Message = "Purged {Count} webhook delivery records past retention")]
        public static partial void Purged(ILogger logger, int count);

        [LoggerMessage(EventId = LogEvents.HousekeepingFailed, Level = LogLevel.Warning, Message = "Purging old webhook delivery records, call changes or tombstones failed; the next hourly run tries again")]
        public static partial void PurgeFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = LogEvents.TombstonesExpired, Level = LogLevel.Information, Message = "Lifted {Lifted} tombstones of erased calls past ATHOS_ERASURE_TOMBSTONE_RETENTION; deleted {LateChanges} change rows appended just after an erasure")]
        public static partial void TombstonesExpired(ILogger logger, int lifted, int lateChanges);
    }
}
