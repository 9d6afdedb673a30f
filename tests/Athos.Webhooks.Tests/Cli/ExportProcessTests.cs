using System.Text.Json;
using Athos.Webhooks.Exports;
using Athos.Webhooks.Tests.Changes;
using Athos.Webhooks.Tests.Exports;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Writing;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Time.Testing;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>
/// The real <c>athos-webhooks export</c> killed (SIGKILL) between committing its files and moving its checkpoint, then
/// run again: the rerun rewrites the very same files, and every change of the feed is exported exactly once.
/// </summary>
public sealed class ExportProcessTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Killed_between_commit_and_checkpoint_the_rerun_rewrites_the_same_files_and_exports_every_change_once()
    {
        await storage.ResetAsync();
        var tables = new TableServiceClient(storage.ConnectionString);
        var clock = new FakeTimeProvider(new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-2).AddHours(20), TimeSpan.Zero));
        var writer = TestCalls.Writer(tables, clock);
        for (var i = 0; i < 12; i++)
        {
            await writer.WriteAsync(TestCalls.Fresh(TestCalls.Scored($"athos_call_kill{i % 5:00}", 1 + (i / 5))), PriorRow.Unknown, TestContext.Current.CancellationToken);
            clock.Advance(TimeSpan.FromHours(2));
        }

        var environment = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storage.ConnectionString };
        var halt = Path.Combine(Directory.CreateTempSubdirectory("athos-export-halt-").FullName, "halted");
        using (var halted = CliProcess.Start(["export", "--format", "json"], new Dictionary<string, string?>(environment) { [ExportCrashPoint.HaltVariable] = halt }))
        {
            await halted.WaitForFileAsync(halt, Patience);
            halted.Kill();
        }

        var killedState = await StateAsync(tables);
        var killedFiles = await FilesAsync();

        // The killed process's lease would expire by itself within a minute; breaking it stands in for that minute.
        await new BlobClient(storage.ConnectionString, StorageNames.LocksContainer, ExportRun.LockName + ".lock").GetBlobLeaseClient().BreakAsync(TimeSpan.Zero, cancellationToken: TestContext.Current.CancellationToken);
        using var rerun = CliProcess.Start(["export", "--format", "json"], environment);
        var rerunExit = await rerun.WaitForExitAsync(Patience);
        var rerunFiles = await FilesAsync();
        var copy = Directory.CreateTempSubdirectory("athos-export-kill-").FullName;
        using var copying = CliProcess.Start(["export", "--to-dir", copy], environment);
        var copyExit = await copying.WaitForExitAsync(Patience);

        var feed = (await TestCalls.ReadAllAsync(new CallChangeFeed(tables, TimeProvider.System), null, CallChangeFeed.MaxPageSize)).Changes;
        var exported = ExportStack.ReadWithDuckDb(copy);
        var state = await StateAsync(tables);
        var report = JsonDocument.Parse(rerun.Output).RootElement;

        Assert.Equal(new { Checkpoint = (string?)null, PendingFrom = (string?)string.Empty }, new { killedState.Checkpoint, killedState.PendingFrom });
        Assert.Equal(killedState.PendingFiles!.Split('\n').Order(StringComparer.Ordinal), killedFiles);
        Assert.Equal(new { RerunExit = 0, CopyExit = 0 }, new { RerunExit = rerunExit, CopyExit = copyExit });
        Assert.Equal(killedFiles, rerunFiles);
        Assert.Equal(12, feed.Count);
        Assert.Equal(feed.Select(ExportStack.Expected), exported);
        Assert.Equal(exported.Count, exported.Select(r => r.Checkpoint).Distinct().Count());
        Assert.Equal(12, report.GetProperty("changes").GetProperty("rows").GetInt32());
        Assert.Equal(new { PendingFrom = (string?)null, Exported = 12L }, new { state.PendingFrom, state.Exported });
        Assert.Equal(rerunFiles.Count, Directory.GetFiles(Path.Combine(copy, "calls", "changes"), "*.parquet", SearchOption.AllDirectories).Length);
        Assert.Contains("Copied", copying.Output, StringComparison.Ordinal);
    }

    private static async Task<ChangesExportStateRow> StateAsync(TableServiceClient tables) =>
        (await tables.GetTableClient(StorageNames.StateTable).GetEntityAsync<ChangesExportStateRow>(ChangesExportStateRow.Partition, ChangesExportStateRow.Row, cancellationToken: TestContext.Current.CancellationToken)).Value;

    private async Task<List<string>> FilesAsync()
    {
        var names = new List<string>();
        await foreach (var blob in new BlobContainerClient(storage.ConnectionString, StorageNames.ExportsContainer).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, ChangesExport.Prefix, cancellationToken: TestContext.Current.CancellationToken))
        {
            names.Add(blob.Name);
        }

        return names;
    }
}
