using System.Diagnostics;
using Athos.Webhooks.Testing;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Athos.Webhooks.Benchmarks;

/// <summary>
/// What Azurite sustains for the kinds of requests a call costs, issued bare by the same SDK clients at a given
/// concurrency: per unit, as many queue puts, table inserts (a row like the product's), blob uploads (a stored
/// detail's bytes), point reads and message receives and deletes as one call made, rounded. Requests per second is
/// the figure; the storage-bound limit for calls is that ÷ the requests a call costs.
/// </summary>
internal sealed class StorageFloor : IAsyncDisposable
{
    private readonly TableClient _table;
    private readonly BlobContainerClient _container;
    private readonly QueueClient _queue;
    private readonly TableEntity _row;
    private readonly BinaryData _body;
    private readonly (int Puts, int TableWrites, int BlobWrites, int Reads) _unit;
    private long _sequence;

    private StorageFloor(TableClient table, BlobContainerClient container, QueueClient queue, TableEntity row, BinaryData body, (int, int, int, int) unit)
    {
        (_table, _container, _queue, _row, _body, _unit) = (table, container, queue, row, body, unit);
    }

    /// <summary>A floor shaped like <paramref name="mix"/>, the requests <paramref name="calls"/> calls made; it samples a stored row and detail.</summary>
    public static async Task<StorageFloor> CreateAsync(AzuriteInstance azurite, IReadOnlyList<StorageRequest> mix, int calls)
    {
        var tables = new TableServiceClient(azurite.ConnectionString);
        var table = tables.GetTableClient("BenchFloor");
        await table.CreateIfNotExistsAsync();
        var blobs = new BlobServiceClient(azurite.ConnectionString);
        var container = blobs.GetBlobContainerClient("bench-floor");
        await container.CreateIfNotExistsAsync();
        var queue = new QueueClient(azurite.ConnectionString, "bench-floor");
        await queue.CreateIfNotExistsAsync();

        var row = await tables.GetTableClient(StorageNames.CallsTable).QueryAsync<TableEntity>(maxPerPage: 1).FirstAsync();
        var archive = blobs.GetBlobContainerClient(StorageNames.RawCallsContainer);
        var blob = await archive.GetBlobsAsync().FirstAsync();
        var body = (await archive.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content;

        static bool Queue(StorageRequest r) => r.Target.EndsWith("/messages", StringComparison.Ordinal);
        int Share(Func<StorageRequest, bool> kind) => (int)Math.Round((double)mix.Count(kind) / calls, MidpointRounding.AwayFromZero);
        var unit = (
            Share(r => Queue(r) && r.Method == "POST"),
            Share(r => !Queue(r) && !r.IsRead && r.Target != StorageNames.RawCallsContainer),
            Share(r => !r.IsRead && r.Target == StorageNames.RawCallsContainer),
            Share(r => !Queue(r) && r.IsRead));
        return new StorageFloor(table, container, queue, row, body, unit);
    }

    /// <summary>Runs units at <paramref name="concurrency"/> for <paramref name="duration"/>; the requests made and the time taken.</summary>
    public async Task<(long Requests, TimeSpan Elapsed)> RunAsync(int concurrency, TimeSpan duration)
    {
        var requests = 0L;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (watch.Elapsed < duration)
            {
                Interlocked.Add(ref requests, await UnitAsync(Interlocked.Increment(ref _sequence)));
            }
        }));
        return (requests, watch.Elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        await _table.DeleteAsync();
        await _container.DeleteAsync();
        await _queue.DeleteAsync();
    }

    private async Task<int> UnitAsync(long n)
    {
        var made = 0;
        for (var i = 0; i < _unit.Puts; i++, made++)
        {
            await _queue.SendMessageAsync(BinaryData.FromString("""{"kind":"fetch","v":1,"origin":"webhook","callId":"athos_call_floor"}"""));
        }

        for (var i = 0; i < _unit.TableWrites; i++, made++)
        {
            await _table.AddEntityAsync(new TableEntity(_row) { PartitionKey = $"p{n}", RowKey = $"r{i}" });
        }

        for (var i = 0; i < _unit.BlobWrites; i++, made++)
        {
            await _container.GetBlobClient($"b{n}_{i}.json").UploadAsync(_body);
        }

        for (var i = 0; i < _unit.Reads; i++, made++)
        {
            await _table.GetEntityIfExistsAsync<TableEntity>($"p{n}", "r0");
        }

        for (var i = 0; i < _unit.Puts; i++, made++)
        {
            foreach (var message in (await _queue.ReceiveMessagesAsync(1)).Value)
            {
                await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                made++;
            }
        }

        return made;
    }
}
