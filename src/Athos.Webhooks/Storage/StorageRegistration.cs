using Athos.Webhooks.Settings;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Storage;

/// <summary>Registers the blob, queue and table service clients through <c>Microsoft.Extensions.Azure</c>.</summary>
internal static class StorageRegistration
{
    public static IServiceCollection AddAthosStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<StorageOptions, StorageOptionsValidator>(configuration, static (settings, options) => options.ReadFrom(settings));

        // Without a connection string: the identity the settings name (credential=managedidentity, clientId), else
        // DefaultAzureCredential; read the way the Functions host reads the same section.
        TokenCredential Credential(IServiceProvider provider) =>
            provider.GetRequiredService<AzureComponentFactory>().CreateTokenCredential(configuration.GetSection(StorageOptions.Setting));

        services.AddAzureClients(azure =>
        {
            azure.AddClient<QueueServiceClient, QueueClientOptions>((options, provider) =>
            {
                var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
                // What the Functions queue trigger expects (host.json messageEncoding: base64).
                options.MessageEncoding = QueueMessageEncoding.Base64;
                Tune(options.Retry);
                return storage.ConnectionString is { } connectionString
                    ? new QueueServiceClient(connectionString, options)
                    : new QueueServiceClient(storage.QueueEndpoint, Credential(provider), options);
            });

            azure.AddClient<TableServiceClient, TableClientOptions>((options, provider) =>
            {
                var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
                Tune(options.Retry);
                return storage.ConnectionString is { } connectionString
                    ? new TableServiceClient(connectionString, options)
                    : new TableServiceClient(storage.TableEndpoint, Credential(provider), options);
            });

            azure.AddClient<BlobServiceClient, BlobClientOptions>((options, provider) =>
            {
                var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
                Tune(options.Retry);
                return storage.ConnectionString is { } connectionString
                    ? new BlobServiceClient(connectionString, options)
                    : new BlobServiceClient(storage.BlobEndpoint, Credential(provider), options);
            });
        });

        services.AddSingleton<StorageInitializer>();
        return services;
    }

    // Storage sits on the webhook's ACK path, which Athos gives 10 seconds: retry briefly, then let the caller answer 503.
    private static void Tune(RetryOptions retry)
    {
        retry.Mode = RetryMode.Exponential;
        retry.MaxRetries = 3;
        retry.Delay = TimeSpan.FromMilliseconds(200);
        retry.MaxDelay = TimeSpan.FromSeconds(2);
        retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    }
}
