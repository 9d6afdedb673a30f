using Microsoft.Extensions.Configuration;

namespace Athos.Webhooks.Storage;

/// <summary>
/// Where the storage account is: the Functions host's own <c>AzureWebJobsStorage</c> setting, either a connection
/// string or the identity-based form (<c>AzureWebJobsStorage__accountName</c>, or the three service URIs, with
/// <c>__credential</c>/<c>__clientId</c> for a user-assigned identity).
/// </summary>
internal sealed class StorageOptions
{
    public const string Setting = "AzureWebJobsStorage";

    /// <summary>The identity-based sub-settings (<c>AzureWebJobsStorage__&lt;key&gt;</c>), as the Functions host names them.</summary>
    public const string AccountNameKey = "accountName";
    public const string BlobServiceUriKey = "blobServiceUri";
    public const string QueueServiceUriKey = "queueServiceUri";
    public const string TableServiceUriKey = "tableServiceUri";
    public const string CredentialKey = "credential";
    public const string ClientIdKey = "clientId";

    public string? ConnectionString { get; set; }

    public string? AccountName { get; set; }

    public string? BlobServiceUri { get; set; }

    public string? QueueServiceUri { get; set; }

    public string? TableServiceUri { get; set; }

    /// <summary>Reads <c>AzureWebJobsStorage</c>, its value and its sub-keys, the way the Functions host does.</summary>
    internal void ReadFrom(IConfiguration configuration)
    {
        var section = configuration.GetSection(Setting);
        ConnectionString = NullIfEmpty(section.Value);
        AccountName = NullIfEmpty(section[AccountNameKey]);
        BlobServiceUri = NullIfEmpty(section[BlobServiceUriKey]);
        QueueServiceUri = NullIfEmpty(section[QueueServiceUriKey]);
        TableServiceUri = NullIfEmpty(section[TableServiceUriKey]);
    }

    internal Uri BlobEndpoint => Endpoint(BlobServiceUri, "blob");

    internal Uri QueueEndpoint => Endpoint(QueueServiceUri, "queue");

    internal Uri TableEndpoint => Endpoint(TableServiceUri, "table");

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private Uri Endpoint(string? explicitUri, string service) =>
        explicitUri is not null ? new Uri(explicitUri) : new Uri($"https://{AccountName}.{service}.core.windows.net");
}
