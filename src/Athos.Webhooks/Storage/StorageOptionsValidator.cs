using Azure.Data.Tables;

namespace Athos.Webhooks.Storage;

/// <summary>
/// Start-up checks of the storage settings, naming the setting to fix. Written by hand: which sub-settings are needed
/// depends on which others are set (a connection string, an account name, or the three service URIs).
/// </summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        if (options.ConnectionString is { } connectionString)
        {
            try
            {
                // Parses the connection string without any network traffic.
                _ = new TableServiceClient(connectionString);
                return ValidateOptionsResult.Success;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                return ValidateOptionsResult.Fail($"{StorageOptions.Setting} is not a valid storage connection string ({ex.Message}). Use the account's connection string, 'UseDevelopmentStorage=true' for Azurite, or the identity-based {StorageOptions.Setting}__accountName setting.");
            }
        }

        var failures = new List<string>();
        foreach (var (setting, value) in new[]
        {
            (StorageOptions.BlobServiceUriKey, options.BlobServiceUri),
            (StorageOptions.QueueServiceUriKey, options.QueueServiceUri),
            (StorageOptions.TableServiceUriKey, options.TableServiceUri),
        })
        {
            if (value is null)
            {
                if (options.AccountName is null)
                {
                    failures.Add($"{StorageOptions.Setting}__{setting} is required when neither {StorageOptions.Setting} (a connection string) nor {StorageOptions.Setting}__accountName is set.");
                }
            }
            else if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            {
                failures.Add($"{StorageOptions.Setting}__{setting} must be an absolute URL such as https://<account>.{setting[..^"ServiceUri".Length]}.core.windows.net; got '{value}'.");
            }
        }

        if (options.AccountName is { } account && !IsAccountName(account))
        {
            failures.Add($"{StorageOptions.Setting}__accountName must be 3–24 lowercase letters and digits; got '{account}'.");
        }

        if (failures.Count == 3 && options.AccountName is null)
        {
            return ValidateOptionsResult.Fail($"{StorageOptions.Setting} is required: set it to a storage connection string ('UseDevelopmentStorage=true' for Azurite), or set {StorageOptions.Setting}__accountName to use a managed identity.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsAccountName(string name) =>
        name.Length is >= 3 and <= 24 && name.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c));
}
