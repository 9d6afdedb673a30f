using Athos.Webhooks.Exports;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Tests.Changes;
using Athos.Webhooks.Tests.Fixtures;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;

namespace Athos.Webhooks.Tests.Exports;

/// <summary>
/// An export run whose lease another client breaks and takes while the run is held before a write (a
/// <see cref="StorageGate"/> pause, real Azurite): at its next renewal the run learns it lost the lease, and from then on
/// writes nothing: no file, no pointer, no move of its checkpoint. The next run, once the lease is free, exports every
/// change exactly once.
/// </summary>
public sealed class ExportLeaseLossTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly StorageGate _gate = new();
    private readonly RenewalRefusal _renewals = new();
    private ExportStack _stack = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _stack = await ExportStack.StartThroughAsync(storage, _gate, _renewals);
    }

    public async ValueTask DisposeAsync() => await _stack.DisposeAsync();

    /// <param name="blobPrefix">Where in <c>athos-exports</c> the run is held: before its first changes file, its first file of the rebuilt version, or its first pointer.</param>
    /// <param name="unrenewable">The lease is lost as storage takes no renewal (each refused) until shortly before it would lapse, rather than taken by another client.</param>
    [Theory]
    [InlineData("calls/changes/", false)]
    [InlineData("calls/current/v=", false)]
    [InlineData("agents/_live.json", false)]
    [InlineData("calls/changes/", true)]
    public async Task A_run_that_loses_its_lease_before_a_write_writes_nothing_after_and_the_next_run_exports_every_change_once(string blobPrefix, bool unrenewable)
    {
        var step = TimeSpan.FromHours(5);
        await _stack.WriteAsync(TestCalls.Scored("athos_call_lease1", 1), step);
        await _stack.WriteAsync(TestCalls.Scored("athos_call_lease2", 1, rep: "rep_b"), step);
        await _stack.WriteAsync(TestCalls.Scored("athos_call_lease1", 2), step);
        var pause = _gate.PauseBeforeRequest("run", request => request.Method == RequestMethod.Put && Uri.UnescapeDataString(request.Uri.Path).Contains("/" + StorageNames.ExportsContainer + "/" + blobPrefix, StringComparison.Ordinal));
        var run = StorageGate.RunAs("run", () => _stack.ExportAsync());
        await pause.Reached;

        // Another host takes the lease (as after this one's lease lapsed), or storage refuses every renewal; then this
        // one's renewal comes due, and (refused) is retried as the clock moves on.
        var lockBlob = new BlobClient(storage.ConnectionString, StorageNames.LocksContainer, ExportRun.LockName + ".lock");
        var other = lockBlob.GetBlobLeaseClient(Guid.NewGuid().ToString());
        if (unrenewable)
        {
            _renewals.Refuse = true;
        }
        else
        {
            await lockBlob.GetBlobLeaseClient().BreakAsync(TimeSpan.Zero, cancellationToken: TestContext.Current.CancellationToken);
            await other.AcquireAsync(LeaseLock.LeaseDuration, cancellationToken: TestContext.Current.CancellationToken);
        }

        var stateAtLoss = await StateAsync();
        var filesAtLoss = await EveryFileAsync();
        _stack.AppClock.Advance(LeaseLock.RenewEvery);
        var lost = await LeaseLostLogAsync();
        pause.Release();
        var summary = await run.WaitAsync(Patience, TestContext.Current.CancellationToken);

        var stateAfter = await StateAsync();
        var pointers = await PointersAsync();
        Assert.Contains("Lost the lease athos-locks/export.lock", lost.Message, StringComparison.Ordinal);
        Assert.Contains(unrenewable ? "did not take a renewal" : "another holder has it", lost.Message, StringComparison.Ordinal);
        Assert.Equal(ExportSummary.Failed, summary.Status);
        Assert.Contains("lost its lease", summary.Error, StringComparison.Ordinal);
        Assert.Equal(filesAtLoss, await EveryFileAsync());
        Assert.Empty(pointers);
        Assert.Equal(stateAtLoss.ETag, stateAfter.ETag);
        Assert.Equal(stateAtLoss.Checkpoint, stateAfter.Checkpoint);

        // The lease is free again: released by the other host, or (refused renewals) expired, which breaking it stands for.
        _renewals.Refuse = false;
        if (unrenewable)
        {
            await lockBlob.GetBlobLeaseClient().BreakAsync(TimeSpan.Zero, cancellationToken: TestContext.Current.CancellationToken);
        }
        else
        {
            await other.ReleaseAsync(cancellationToken: TestContext.Current.CancellationToken);
        }

        var next = await _stack.ExportAsync();
        Assert.Equal(ExportSummary.Succeeded, next.Status);
        Assert.Equal((await _stack.FeedAsync()).Select(ExportStack.Expected), ExportStack.ReadWithDuckDb(await _stack.CopyAsync()));
        Assert.Equal([CurrentExport.AgentsDataset, CurrentExport.CallsDataset, CurrentExport.ScoresDataset], await PointersAsync());
    }

    private async Task<ChangesExportStateRow> StateAsync() =>
        (await new TableClient(storage.ConnectionString, StorageNames.StateTable).GetEntityIfExistsAsync<ChangesExportStateRow>(ChangesExportStateRow.Partition, ChangesExportStateRow.Row, cancellationToken: TestContext.Current.CancellationToken)).Value ?? new ChangesExportStateRow();

    /// <summary>Every blob in <c>athos-exports</c> (changes files, version folders, pointers) with its ETag: a file written after the loss, new or over an old one, changes it.</summary>
    private async Task<List<string>> EveryFileAsync()
    {
        var files = new List<string>();
        await foreach (var blob in _stack.Exports.GetBlobsAsync(cancellationToken: TestContext.Current.CancellationToken))
        {
            files.Add(blob.Name + " " + blob.Properties.ETag);
        }

        return files;
    }

    /// <summary>The datasets whose pointer exists, by name.</summary>
    private async Task<List<string>> PointersAsync()
    {
        var found = new List<string>();
        foreach (var dataset in new[] { CurrentExport.AgentsDataset, CurrentExport.CallsDataset, CurrentExport.ScoresDataset })
        {
            if (await _stack.Exports.GetBlobClient(ExportPointer.NameOf(dataset)).ExistsAsync(TestContext.Current.CancellationToken))
            {
                found.Add(dataset);
            }
        }

        return found;
    }

    /// <summary>
    /// The lease holder's warning that it lost the lease, once logged: the renewal is a request to Azurite, so it is
    /// waited for; meanwhile the app's clock moves on a retry interval at a time, for renewals that are refused.
    /// </summary>
    private async Task<Microsoft.Extensions.Logging.Testing.FakeLogRecord> LeaseLostLogAsync()
    {
        using var patience = new CancellationTokenSource(Patience);
        while (true)
        {
            if (_stack.App.Logs.GetSnapshot().FirstOrDefault(r => r.Category == typeof(LeaseLock).FullName && r.Level == LogLevel.Warning) is { } record)
            {
                return record;
            }

            Assert.False(patience.IsCancellationRequested, $"the run did not notice within {Patience.TotalSeconds} s that its lease was lost");
            await Task.Delay(50, TestContext.Current.CancellationToken);
            if (_renewals.Refuse)
            {
                _stack.AppClock.Advance(TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>Refuses every lease renewal while <see cref="Refuse"/> is set, as storage out of reach would (a 503, not retried).</summary>
    private sealed class RenewalRefusal : HttpPipelinePolicy
    {
        public volatile bool Refuse;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The export is asynchronous.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (Refuse && message.Request.Headers.TryGetValue("x-ms-lease-action", out var action) && action == "renew")
            {
                throw new RequestFailedException(503, "The storage service is unreachable (a test refuses lease renewals).");
            }

            await ProcessNextAsync(message, pipeline);
        }
    }
}
