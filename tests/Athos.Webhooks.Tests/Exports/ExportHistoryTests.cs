using Athos.Webhooks.Cli.Commands;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Exports;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Tests.Changes;
using Athos.Webhooks.Tests.Fixtures;
using Azure.Storage.Blobs.Models;

namespace Athos.Webhooks.Tests.Exports;

/// <summary>
/// What a rewrite or a removal in <c>athos-exports</c> leaves behind holds erased rows too: earlier snapshots and (with
/// versioning on) previous versions. Azurite keeps no versions, so snapshots stand in for them here; the same listing
/// (versions, snapshots and soft-deleted copies at once) finds both, and Azurite answers it.
/// </summary>
public sealed class ExportHistoryTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string Erased = "athos_call_hist01";

    private ExportStack _stack = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _stack = await ExportStack.StartAsync(storage);
    }

    public async ValueTask DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task The_changes_files_rewritten_for_an_erasure_lose_their_earlier_snapshots_and_the_others_keep_theirs()
    {
        // Two dates: the first without the erased call.
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

        var configuration = CliServices.Configuration(new Dictionary<string, string?>(StackSettings.For(null, storage.Azurite)));
        Assert.Equal(0, await ForgetCommand.RunAsync(configuration, new StringWriter(), new StringWriter(), Erased, OutputFormat.Json, allowRestore: false, TestContext.Current.CancellationToken));
        // forget stamps its erased change by the true clock.
        _stack.CatchUpTo(DateTimeOffset.UtcNow + ExportStack.Ahead);
        var erasing = await _stack.ExportAsync();

        var snapshots = await SnapshotsAsync(ChangesExport.Prefix);
        Assert.Equal(ExportSummary.Succeeded, erasing.Status);
        var logged = Assert.Single(_stack.App.Logs.GetSnapshot(), r => r.Id.Id == LogEvents.ExportHistoryRemoved);
        Assert.True(holding.Count >= 1 && holding.Count < files.Count, $"the erased call is in {holding.Count} of {files.Count} files");
        Assert.Equal(files.Except(holding).Order(StringComparer.Ordinal), snapshots.Order(StringComparer.Ordinal));
        // A file left holding only the erased call is deleted, its snapshots with it; the others lose theirs after the rewrite.
        var rewritten = (await _stack.ChangesFilesAsync()).Intersect(holding).Count();
        Assert.InRange(rewritten, 1, holding.Count);
        Assert.Equal(rewritten.ToString(System.Globalization.CultureInfo.InvariantCulture), logged.StructuredState!.Single(p => p.Key == "Removed").Value);
        Assert.DoesNotContain(ExportStack.ReadWithDuckDb(await _stack.CopyAsync()), r => r.CallId == Erased);
        // Azurite answers a listing with versions: none, only each file as it is.
        Assert.All(await ListAsync(ChangesExport.Prefix, BlobStates.Version), item => Assert.Null(item.VersionId));
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
