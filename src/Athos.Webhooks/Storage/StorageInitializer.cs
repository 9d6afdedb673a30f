using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Athos.Webhooks.Storage;

/// <summary>
/// Creates every queue, table and container in <see cref="StorageNames"/> that does not exist yet. In Azure the
/// Bicep deployment creates them; locally (Azurite) and in tests this does.
/// </summary>
internal sealed class StorageInitializer(QueueServiceClient queues, TableServiceClient tables, BlobServiceClient blobs)
{
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        var work = new List<Task>();
        work.AddRange(StorageNames.Queues.Select(name => queues.GetQueueClient(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken)));
        work.AddRange(StorageNames.Tables.Select(name => tables.CreateTableIfNotExistsAsync(name, cancellationToken)));
        work.AddRange(StorageNames.Containers.Select(name => blobs.GetBlobContainerClient(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken)));
        await Task.WhenAll(work);
    }
}
