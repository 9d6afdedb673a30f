using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// A named lock held as a blob lease in <c>athos-locks</c>. Every host (the Functions app on any number of
/// instances, a local runner pointed at the same account) takes the same lease, so two runs never overlap; a
/// crashed holder's lease expires by itself.
/// </summary>
/// <remarks>
/// A holder that cannot renew (another client broke and took the lease, or storage stayed unreachable until shortly
/// before the lease would lapse) is told through <see cref="HeldLease.Lost"/>. The export links it into every write, as
/// a run that goes on could overwrite what a newer run wrote for an erasure; the reconciler, the roster sync and
/// housekeeping go on, as what they write is the same whoever writes it, and the next run corrects an older copy.
/// </remarks>
internal sealed partial class LeaseLock(BlobServiceClient blobs, TimeProvider time, ILogger<LeaseLock> logger)
{
    internal static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);
    internal static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(20);

    // A failed renewal is tried again this often, until this long before the lease would lapse unrenewed: then the
    // holder is told the lease is lost, with time to stop before another host can take it.
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan GiveUpBefore = TimeSpan.FromSeconds(15);

    /// <summary>The held lock (dispose to release), or <see langword="null"/> when someone else holds it.</summary>
    public async Task<HeldLease?> TryAcquireAsync(string name, CancellationToken cancellationToken = default)
    {
        var blob = blobs.GetBlobContainerClient(StorageNames.LocksContainer).GetBlobClient(name + ".lock");
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // The lock blob exists already (the usual case).
        }

        var lease = blob.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return null;
        }

        return new HeldLease(name, lease, time, logger);
    }

    /// <summary>A lease held and renewed until disposed.</summary>
    internal sealed class HeldLease : IAsyncDisposable
    {
        private readonly string _name;
        private readonly BlobLeaseClient _lease;
        private readonly TimeProvider _time;
        private readonly ILogger _logger;
        private readonly CancellationTokenSource _stop = new();
        private readonly CancellationTokenSource _lost = new();
        private readonly Task _renewal;

        public HeldLease(string name, BlobLeaseClient lease, TimeProvider time, ILogger logger)
        {
            (_name, _lease, _time, _logger) = (name, lease, time, logger);
            _renewal = RenewAsync();
        }

        /// <summary>Cancelled when the lease is lost, or about to lapse because it could not be renewed.</summary>
        public CancellationToken Lost => _lost.Token;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _renewal;
            if (!_lost.IsCancellationRequested)
            {
                try
                {
                    await _lease.ReleaseAsync();
                }
                catch (Exception ex) when (ex.IsStorageFailure())
                {
                    // It expires on its own within a minute.
                }
            }

            _stop.Dispose();
            _lost.Dispose();
        }

        private async Task RenewAsync()
        {
            using var timer = new PeriodicTimer(RenewEvery, _time);
            var renewedAt = _time.GetTimestamp();
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    string? failure = null;
                    while (true)
                    {
                        // After a failure, no attempt runs past GiveUpBefore: the holder hears of the loss with that much
                        // of the lease left. The first attempt of a tick is made whatever the clock says (a host that was
                        // frozen): its answer is the truth even late, as an expired lease renews only if no one has
                        // leased the blob since.
                        var budget = LeaseDuration - GiveUpBefore - _time.GetElapsedTime(renewedAt);
                        if (failure is not null && budget <= TimeSpan.Zero)
                        {
                            await LoseAsync("storage did not take a renewal before the lease would lapse (" + failure + ")");
                            return;
                        }

                        using var attempt = new CancellationTokenSource(failure is null && budget < RetryEvery ? RetryEvery : budget, _time);
                        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, attempt.Token);
                        // The lease runs from when storage took the renewal, at the latest when it was sent.
                        var sent = _time.GetTimestamp();
                        try
                        {
                            await _lease.RenewAsync(cancellationToken: renewal.Token);
                            renewedAt = sent;
                            break;
                        }
                        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
                        {
                            // Another holder has it (broken and taken, or lapsed and taken): not ours to renew again.
                            await LoseAsync($"another holder has it ({StorageFailure.FirstLine(ex)})");
                            return;
                        }
                        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
                        {
                            failure = "no answer";
                        }
                        catch (Exception ex) when (ex.IsStorageFailure())
                        {
                            failure = StorageFailure.FirstLine(ex);
                        }

                        var left = LeaseDuration - GiveUpBefore - _time.GetElapsedTime(renewedAt);
                        if (left <= TimeSpan.Zero)
                        {
                            await LoseAsync("storage did not take a renewal before the lease would lapse (" + failure + ")");
                            return;
                        }

                        await Task.Delay(left < RetryEvery ? left : RetryEvery, _time, _stop.Token);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Released.
            }
        }

        private async Task LoseAsync(string why)
        {
            // Cancelled before it is logged: whoever reads the log finds the holder's writes cancelled already.
            await _lost.CancelAsync();
            Log.Lost(_logger, _name, why);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.LeaseLost, Level = LogLevel.Warning, Message = "Lost the lease athos-locks/{Lock}.lock: {Reason}; the export stops writing, other runs go on")]
        public static partial void Lost(ILogger logger, string @lock, string reason);
    }
}
