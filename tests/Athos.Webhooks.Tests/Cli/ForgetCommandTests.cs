using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Cli.Commands;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Configuration;

namespace Athos.Webhooks.Tests.Cli;

/// <summary><c>athos-webhooks forget</c> against real Azurite: one call erased everywhere, every other call untouched.</summary>
public sealed class ForgetCommandTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private AthosSimulator _simulator = null!;
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 1212, FailureRate = 0 });
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Forget_removes_every_row_blob_recording_and_ledger_entry_of_one_call_and_nothing_else()
    {
        var ct = TestContext.Current.CancellationToken;
        var calls = _simulator.AddCalls(2, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddMinutes(-5));
        var (gone, kept) = (calls[0].Id, calls[1].Id);
        await using (var app = await TestApp.StartAsync(StackSettings.For(_simulator, storage.Azurite)))
        {
            foreach (var call in calls)
            {
                await app.Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) }), "m-" + call.Id, 1, ct);
            }
        }

        var tables = new TableServiceClient(storage.ConnectionString);
        var blobs = new BlobServiceClient(storage.ConnectionString);
        // An orphan index row at a key the main row no longer gives (a crash between writes, or an older key scheme).
        await tables.GetTableClient(StorageNames.CallsByDayTable).AddEntityAsync(new TableEntity("2020-01-01", "0000000000000000000_" + gone) { ["CallId"] = gone }, ct);
        foreach (var call in calls)
        {
            await tables.GetTableClient(StorageNames.WebhookDeliveriesTable).AddEntityAsync(new TableEntity("wh_" + call.Id, string.Empty) { ["CallId"] = call.Id, ["Status"] = "processed" }, ct);
            await blobs.GetBlobContainerClient(StorageNames.RecordingsContainer).UploadBlobAsync(call.Id + ".ogg", BinaryData.FromString("OggS recording of " + call.Id), ct);
        }

        var keptBefore = await EverythingOfAsync(kept);

        var exit = await ForgetCommand.RunAsync(Configuration(), _output, _error, gone, OutputFormat.Table, allowRestore: false, ct);

        Assert.Equal(0, exit);
        Assert.Equal($"Athos keeps its own copy: delete the call there too; the tombstone keeps a reconcile, rescan or backfill that lists it from storing it again only until {DateTimeOffset.UtcNow.AddDays(400):yyyy-MM-dd} (ATHOS_ERASURE_TOMBSTONE_RETENTION).", _error.ToString().Trim());
        // What stays is the tombstone and the erased change, which name the call and hold nothing else.
        var tombstone = (await new TestTables(storage.ConnectionString).MainAsync(gone))!;
        Assert.Equal(CallStatus.Erased, tombstone.Status);
        Assert.Collection(
            (await EverythingOfAsync(gone)).Order(StringComparer.Ordinal),
            e => Assert.StartsWith($"{StorageNames.CallChangesTable}/{ChangeKeys.PartitionKey(ChangeKeys.StampOf(tombstone.ChangeKey!))}/{tombstone.ChangeKey}/", e, StringComparison.Ordinal),
            e => Assert.StartsWith($"{StorageNames.CallsTable}/{gone}//", e, StringComparison.Ordinal));
        Assert.Equal(keptBefore, await EverythingOfAsync(kept));
        var printed = _output.ToString();
        Assert.Contains($"removed  AthosCalls: row {gone}", printed, StringComparison.Ordinal);
        Assert.Contains($"removed  AthosCallsByDay: row 2020-01-01 / 0000000000000000000_{gone}", printed, StringComparison.Ordinal);
        Assert.Contains($"removed  athos-calls: blob {gone}.json", printed, StringComparison.Ordinal);
        Assert.Contains($"removed  athos-recordings: blob {gone}.ogg", printed, StringComparison.Ordinal);
        Assert.Contains($"removed  AthosWebhookDeliveries: row wh_{gone}", printed, StringComparison.Ordinal);
        Assert.Contains("AthosCallsByUser: row ", printed, StringComparison.Ordinal);
        Assert.Contains("removed  AthosCallChanges: row ", printed, StringComparison.Ordinal);
        Assert.DoesNotContain(kept, printed, StringComparison.Ordinal);

        // Erasing again is harmless and says so.
        var again = new StringWriter();
        Assert.Equal(0, await ForgetCommand.RunAsync(Configuration(), again, _error, gone, OutputFormat.Table, allowRestore: false, ct));
        Assert.Contains($"Nothing of {gone} was stored; its tombstone stands.", again.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forget_refuses_a_bad_call_id_with_exit_2()
    {
        var exit = await ForgetCommand.RunAsync(Configuration(), _output, _error, "athos_call_../other", OutputFormat.Table, allowRestore: false, TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.StartsWith("callId: A call id may contain only", _error.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, _output.ToString());
    }

    [Fact]
    public async Task Forget_says_in_one_line_that_storage_is_unreachable_and_exits_1()
    {
        var closedPort = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;";

        var exit = await ForgetCommand.RunAsync(Configuration(("AzureWebJobsStorage", closedPort)), _output, _error, "athos_call_unreachable", OutputFormat.Table, allowRestore: false, TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        var line = Assert.Single(_error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Storage failed or is unreachable", line, StringComparison.Ordinal);
    }

    /// <summary>Everything readable of a call: rows in every table (by CallId and by key) and blobs in every container.</summary>
    private async Task<List<string>> EverythingOfAsync(string callId)
    {
        var found = new List<string>();
        var tables = new TableServiceClient(storage.ConnectionString);
        await foreach (var table in tables.QueryAsync())
        {
            var client = tables.GetTableClient(table.Name);
            await foreach (var row in client.QueryAsync<TableEntity>($"CallId eq '{callId}' or PartitionKey eq '{callId}'"))
            {
                found.Add($"{table.Name}/{row.PartitionKey}/{row.RowKey}/{row.ETag}");
            }
        }

        var blobs = new BlobServiceClient(storage.ConnectionString);
        await foreach (var container in blobs.GetBlobContainersAsync())
        {
            await foreach (var blob in blobs.GetBlobContainerClient(container.Name).GetBlobsAsync(BlobTraits.None, BlobStates.None, callId, CancellationToken.None))
            {
                found.Add($"{container.Name}/{blob.Name}/{blob.Properties.ETag}");
            }
        }

        return found;
    }

    private IConfiguration Configuration(params (string Name, string? Value)[] overrides)
    {
        var settings = StackSettings.For(_simulator, storage.Azurite);
        foreach (var (name, value) in overrides)
        {
            settings[name] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(settings.Where(s => s.Value is not null)).Build();
    }
}
