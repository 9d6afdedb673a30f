using Athos.Webhooks.Hosting;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.AthosApi;

/// <summary>Start-up checks of the Athos settings, each message naming the setting to fix.</summary>
internal sealed class AthosApiOptionsValidator : IValidateOptions<AthosApiOptions>
{
    public ValidateOptionsResult Validate(string? name, AthosApiOptions options)
    {
        var failures = new List<string>();

        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            failures.Add($"{AthosApiOptions.ApiKeySetting} is required: set it to the API key Athos issued (ath_live_…).");
        }
        else if (options.ApiKey.StartsWith(KeyVaultReference.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add(KeyVaultReference.Unresolved(AthosApiOptions.ApiKeySetting));
        }
        else if (options.ApiKey.Any(char.IsWhiteSpace))
        {
            failures.Add($"{AthosApiOptions.ApiKeySetting} contains whitespace; paste the key without spaces or line breaks.");
        }

        if (!options.BaseUrl.IsAbsoluteUri || options.BaseUrl.Scheme is not ("https" or "http"))
        {
            failures.Add($"{AthosApiOptions.BaseUrlSetting} must be an absolute http(s) URL such as {AthosApiOptions.DefaultBaseUrl}; got '{options.BaseUrl}'.");
        }

        if (options.AttemptTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{AthosApiOptions.AttemptTimeoutSetting} must be a positive duration such as 00:00:15; got {options.AttemptTimeout}.");
        }

        if (options.TotalTimeout <= options.AttemptTimeout)
        {
            failures.Add($"{AthosApiOptions.TotalTimeoutSetting} ({options.TotalTimeout}) must be longer than {AthosApiOptions.AttemptTimeoutSetting} ({options.AttemptTimeout}).");
        }

        if (options.MaxRetries is < 1 or > 10)
        {
            failures.Add($"{AthosApiOptions.MaxRetriesSetting} must be between 1 and 10; got {options.MaxRetries}.");
        }

        if (options.MaxConcurrency is < 1 or > 64)
        {
            failures.Add($"{AthosApiOptions.MaxConcurrencySetting} must be between 1 and 64 (Athos requests at once per instance); got {options.MaxConcurrency}.");
        }

        if (options.RetryDelay <= TimeSpan.Zero)
        {
            failures.Add($"{AthosApiOptions.RetryDelaySetting} must be a positive duration such as 00:00:01; got {options.RetryDelay}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
