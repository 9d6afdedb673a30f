using Athos.Webhooks.Exports;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Tests.Changes;
using Athos.Webhooks.Tests.Fixtures;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Azure;
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
    private ExportStack _stack = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _stack = await ExportStack.StartAsync(storage, services => services.AddAzureClients(azure => azure.ConfigureDefaults(options => options.AddPolicy(_gate, HttpPipelinePosition.PerCall))));
    }

    public async ValueTask DisposeAsync() => await _stack.DisposeAsync();

    [Theory]
    [InlineData("calls/changes/", "PUT")]
    [InlineData("calls/current/v=", "PUT")]
    [InlineData("agents/_live.json", "PUT")]
    public async Task A_run_that_loses_its_lease_before_a_write_writes_nothing_after_and_the_next_run_exports_every_change_once(string blobPrefix, string method)
    {
        var step = TimeSpan.FromHours(5);
        await _stack.WriteAsync(TestCalls.Scored("athos_call_lease1", 1), step);
        await _stack.WriteAsync(TestCalls.Scored("athos_call_lease2", 1, rep: "rep_b"), step);
        await _stack.WriteAsync(TestCalls.Scored("athos_call_lease1", 2), step);
        var pause = _gate.PauseBeforeRequest("run", request => request.Method.ToString() == method && Uri.UnescapeDataString(request.Uri.Path).Contains("/" + StorageNames.ExportsContainer + "/" + blobPrefix, StringComparison.Ordinal));
        var run = StorageGate.RunAs("run", () => _stack.ExportAsync());
        await pause.Reached;

        // Another host takes the lease (as after this one's lease lapsed), then this one's renewal comes due.
        var lockBlob = new BlobClient(storage.ConnectionString, StorageNames.LocksContainer, ExportRun.LockName + ".lock");
        await lockBlob.GetBlobLeaseClient().BreakAsync(TimeSpan.Zero, cancellationToken: TestContext.Current.CancellationToken);
        var other = lockBlob.GetBlobLeaseClient(Guid.NewGuid().ToString());
        await other.AcquireAsync(LeaseLock.LeaseDuration, cancellationToken: TestContext.Current.CancellationToken);
        var stateAtLoss = await StateAsync();
        var filesAtLoss = await _stack.ChangesFilesAsync();
        _stack.AppClock.Advance(LeaseLock.RenewEvery);
        var lost = await LeaseLostLogAsync();
        pause.Release();
        var summary = await run.WaitAsync(Patience, TestContext.Current.CancellationToken);

        var stateAfter = await StateAsync();
        var pointers = await PointersAsync();
        Assert.Contains("Lost the lease athos-locks/export.lock", lost.Message, StringComparison.Ordinal);
        Assert.Equal(ExportSummary.Failed, summary.Status);
        Assert.Contains("lost its lease", summary.Error, StringComparison.Ordinal);
        Assert.Equal(filesAtLoss, await _stack.ChangesFilesAsync());
        Assert.Empty(pointers);
        Assert.Equal(stateAtLoss.ETag, stateAfter.ETag);
        Assert.Equal(stateAtLoss.Checkpoint, stateAfter.Checkpoint);

        await other.ReleaseAsync(cancellationToken: TestContext.Current.CancellationToken);
        var next = await _stack.ExportAsync();
        Assert.Equal(ExportSummary.Succeeded, next.Status);
        Assert.Equal((await _stack.FeedAsync()).Select(ExportStack.Expected), ExportStack.ReadWithDuckDb(await _stack.CopyAsync()));
        Assert.Equal([CurrentExport.AgentsDataset, CurrentExport.CallsDataset, CurrentExport.ScoresDataset], await PointersAsync());
    }

    private async Task<ChangesExportStateRow> StateAsync() =>
        (await new TableClient(storage.ConnectionString, StorageNames.StateTable).GetEntityIfExistsAsync<ChangesExportStateRow>(ChangesExportStateRow.Partition, ChangesExportStateRow.Row, cancellationToken: TestContext.Current.CancellationToken)).Value ?? new ChangesExportStateRow();

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

    /// <summary>The lease holder's warning that it lost the lease, once logged: the renewal is a request to Azurite, so it is waited for.</summary>
    private async Task<Microsoft.Extensions.Logging.Testing.FakeLogRecord> LeaseLostLogAsync()
    {
        using var patience = new CancellationTokenSource(Patience);
        while (true)
        {
            if (_stack.App.Logs.GetSnapshot().FirstOrDefault(r => r.Category == typeof(LeaseLock).FullName && r.Level == LogLevel.Warning) is { } record)
            {
                return record;
            }

            Assert.False(patience.IsCancellationRequested, $"the run did not notice within {Patience.TotalSeconds} s that its lease was taken");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
