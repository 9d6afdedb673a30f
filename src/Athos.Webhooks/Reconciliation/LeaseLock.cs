using Athos.Webhooks.Storage;
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
internal sealed class LeaseLock(BlobServiceClient blobs, TimeProvider time)
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(20);

    /// <summary>The held lock (dispose to release), or <see langword="null"/> when someone else holds it.</summary>
    public async Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken = default)
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

        return new Held(lease, time);
    }

    private sealed class Held : IAsyncDisposable
    {
        private readonly BlobLeaseClient _lease;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewal;

        public Held(BlobLeaseClient lease, TimeProvider time)
        {
            _lease = lease;
            _renewal = RenewAsync(time);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _renewal;
            try
            {
                await _lease.ReleaseAsync();
            }
            catch (Exception ex) when (ex.IsStorageFailure())
            {
                // It expires on its own within a minute.
            }

            _stop.Dispose();
        }

        private async Task RenewAsync(TimeProvider time)
        {
            using var timer = new PeriodicTimer(RenewEvery, time);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    await _lease.RenewAsync(cancellationToken: _stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // Released.
            }
            catch (Exception ex) when (ex.IsStorageFailure())
            {
                // Lost the lease (storage unreachable for a minute): the run goes on; its writes are idempotent anyway.
            }
        }
    }
}
