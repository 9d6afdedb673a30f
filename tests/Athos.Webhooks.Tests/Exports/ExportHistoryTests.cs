using Athos.Webhooks.Cli.Commands;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Exports;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Tests.Changes;
using Athos.Webhooks.Tests.Fixtures;
using Azure.Core;
using Azure.Storage.Blobs.Models;

namespace Athos.Webhooks.Tests.Exports;

/// <summary>
/// What a rewrite or a removal in <c>athos-exports</c> leaves behind holds erased rows too: earlier snapshots and (with
/// versioning on) previous versions. Azurite keeps no versions, so snapshots stand in for them here; the same listing
/// (versions, snapshots and soft-deleted copies at once) finds both, and Azurite answers it. An erasure clears the
/// history of every changes file (one listing of the folder), so what a compaction deleted or an interrupted run
/// rewrote is cleared too.
/// </summary>
public sealed class ExportHistoryTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string Erased = "athos_call_hist01";

    private readonly StorageGate _gate = new();
    private ExportStack _stack = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _stack = await ExportStack.StartThroughAsync(storage, _gate);
    }

    public async ValueTask DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task An_erasure_leaves_no_earlier_snapshot_of_any_changes_file()
    {
        var (files, holding) = await ExportAndSnapshotAsync();
        await ForgetAsync();
        var erasing = await _stack.ExportAsync();

        Assert.Equal(ExportSummary.Succeeded, erasing.Status);
        Assert.True(holding.Count >= 1 && holding.Count < files.Count, $"the erased call is in {holding.Count} of {files.Count} files");
        Assert.Empty(await SnapshotsAsync(ChangesExport.Prefix));
        // A file left holding only the erased call is deleted, its snapshot with it; every other file's goes after.
        var logged = Assert.Single(_stack.App.Logs.GetSnapshot(), r => r.Id.Id == LogEvents.ExportHistoryRemoved);
        var kept = (await _stack.ChangesFilesAsync()).Intersect(files).Count();
        Assert.Equal(kept.ToString(System.Globalization.CultureInfo.InvariantCulture), logged.StructuredState!.Single(p => p.Key == "Removed").Value);
        Assert.DoesNotContain(ExportStack.ReadWithDuckDb(await _stack.CopyAsync()), r => r.CallId == Erased);
        // Azurite answers a listing with versions: none, only each file as it is.
        Assert.All(await ListAsync(ChangesExport.Prefix, BlobStates.Version), item => Assert.Null(item.VersionId));
    }

    [Fact]
    public async Task A_run_stopped_between_an_erasure_rewrite_and_the_history_delete_leaves_no_snapshot_once_the_next_run_redoes_the_batch()
    {
        await ExportAndSnapshotAsync();
        await ForgetAsync();

        // The run dies (a crash, a lost lease) after rewriting the files, at the listing of their history.
        var pause = _gate.PauseBeforeRequest("run", r => r.Method == RequestMethod.Get && r.Uri.Query.Contains("comp=list", StringComparison.Ordinal) && r.Uri.Query.Contains("snapshots", StringComparison.OrdinalIgnoreCase));
        var run = StorageGate.RunAs("run", () => _stack.ExportAsync());
        await pause.Reached;
        pause.Kill();
        await Assert.ThrowsAnyAsync<Exception>(() => run);
        Assert.NotEmpty(await SnapshotsAsync(ChangesExport.Prefix));

        var next = await _stack.ExportAsync();

        Assert.Equal(ExportSummary.Succeeded, next.Status);
        Assert.DoesNotContain(ExportStack.ReadWithDuckDb(await _stack.CopyAsync()), r => r.CallId == Erased);
        Assert.Empty(await SnapshotsAsync(ChangesExport.Prefix));
    }

    [Fact]
    public async Task A_rewrite_for_an_erasure_of_a_file_changed_since_it_was_read_fails_and_leaves_the_newer_file()
    {
        var (_, holding) = await ExportAndSnapshotAsync();
        await ForgetAsync();
        var target = holding[0];

        // Held before its rewrite of a file holding the erased call; meanwhile a newer writer (a run that took the lease
        // from this one, frozen past it) replaces that file.
        var pause = _gate.PauseBeforeRequest("run", r => r.Method == RequestMethod.Put && Uri.UnescapeDataString(r.Uri.Path).EndsWith("/" + target, StringComparison.Ordinal));
        var run = StorageGate.RunAs("run", () => _stack.ExportAsync());
        await pause.Reached;
        var newer = _stack.Exports.GetBlobClient(target);
        await newer.UploadAsync((await newer.DownloadContentAsync(TestContext.Current.CancellationToken)).Value.Content, overwrite: true, TestContext.Current.CancellationToken);
        var newerTag = (await newer.GetPropertiesAsync(cancellationToken: TestContext.Current.CancellationToken)).Value.ETag;
        pause.Release();
        var stale = await run;

        Assert.Equal(ExportSummary.Failed, stale.Status);
        Assert.Contains(target + " changed since this run read it", stale.Error, StringComparison.Ordinal);
        Assert.Equal(newerTag, (await newer.GetPropertiesAsync(cancellationToken: TestContext.Current.CancellationToken)).Value.ETag);

        // The next run reads the file as it is now and erases from that.
        Assert.Equal(ExportSummary.Succeeded, (await _stack.ExportAsync()).Status);
        Assert.DoesNotContain(ExportStack.ReadWithDuckDb(await _stack.CopyAsync()), r => r.CallId == Erased);
    }

    /// <summary>Exports the erased call's changes over two dates (the first without it) and snapshots every file; the files, and those holding the call.</summary>
    private async Task<(List<string> Files, List<string> Holding)> ExportAndSnapshotAsync()
    {
        var step = TimeSpan.FromHours(3);
        await _stack.WriteAsync(TestCalls.Scored("athos_call_hist03", 1, rep: "rep_c"), step);
        await _stack.WriteAsync(TestCalls.Scored(Erased, 1), step);
        await _stack.WriteAsync(TestCalls.Scored("athos_call_hist02", 1, rep: "rep_b"), step);
        await _stack.WriteAsync(TestCalls.Scored(Erased, 2), step);
        await _stack.ExportAsync();
        var files = await _stack.ChangesFilesAsync();
        var holding = new List<string>();
        foreach (var name in files)
        {
            await _stack.Exports.GetBlobClient(name).CreateSnapshotAsync(cancellationToken: TestContext.Current.CancellationToken);
            if ((await _stack.App.Get<ExportContainer>().ReadCallIdsAsync(name, TestContext.Current.CancellationToken)).Contains(Erased))
            {
                holding.Add(name);
            }
        }

        return (files, holding);
    }

    private async Task ForgetAsync()
    {
        var configuration = CliServices.Configuration(new Dictionary<string, string?>(StackSettings.For(null, storage.Azurite)));
        Assert.Equal(0, await ForgetCommand.RunAsync(configuration, new StringWriter(), new StringWriter(), Erased, OutputFormat.Json, allowRestore: false, TestContext.Current.CancellationToken));
        // forget stamps its erased change by the true clock.
        _stack.CatchUpTo(DateTimeOffset.UtcNow + ExportStack.Ahead);
    }

    [Fact]
    public async Task A_rebuild_deletes_the_snapshots_under_the_version_folders()
    {
        await _stack.WriteAsync(TestCalls.Scored("athos_call_hist04", 1), TimeSpan.FromHours(1));
        await _stack.ExportAsync();
        var versionFiles = new List<string>();
        foreach (var dataset in new[] { CurrentExport.CallsDataset, CurrentExport.ScoresDataset, CurrentExport.AgentsDataset })
        {
            foreach (var item in await ListAsync(dataset + "/v=", BlobStates.None))
            {
                await _stack.Exports.GetBlobClient(item.Name).CreateSnapshotAsync(cancellationToken: TestContext.Current.CancellationToken);
                versionFiles.Add(item.Name);
            }
        }

        var snapshotted = (await SnapshotsAsync(string.Empty)).Count;
        var rebuilt = await _stack.App.Get<ExportRun>().RunAsync(new ExportRequest(Now: true), TestContext.Current.CancellationToken);

        Assert.Equal(ExportSummary.Succeeded, rebuilt.Status);
        Assert.NotNull(rebuilt.Current);
        Assert.Contains(versionFiles, f => f.StartsWith(CurrentExport.CallsDataset + "/v=", StringComparison.Ordinal));
        Assert.Contains(versionFiles, f => f.StartsWith(CurrentExport.AgentsDataset + "/v=", StringComparison.Ordinal));
        Assert.Equal(versionFiles.Count, snapshotted);
        Assert.Empty(await SnapshotsAsync(string.Empty));
    }

    /// <summary>The names of the blobs under <paramref name="prefix"/> that have a snapshot, one entry per snapshot.</summary>
    private async Task<List<string>> SnapshotsAsync(string prefix) =>
        [.. (await ListAsync(prefix, BlobStates.Snapshots)).Where(i => i.Snapshot is not null).Select(i => i.Name)];

    private async Task<List<BlobItem>> ListAsync(string prefix, BlobStates states)
    {
        var items = new List<BlobItem>();
        await foreach (var item in _stack.Exports.GetBlobsAsync(BlobTraits.None, states, prefix, TestContext.Current.CancellationToken))
        {
            items.Add(item);
        }

        return items;
    }
}
