using Athos.Webhooks.Hosting;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Webhooks;

/// <summary>Start-up checks of the webhook settings, each message naming the setting to fix.</summary>
internal sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Secret))
        {
            failures.Add($"{WebhookOptions.SecretSetting} is required: set it to the webhook signing secret Athos gave you (whsec_…), whole.");
        }
        else if (options.Secret.StartsWith(KeyVaultReference.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add(KeyVaultReference.Unresolved(WebhookOptions.SecretSetting));
        }
        else if (options.Secret.Any(char.IsWhiteSpace))
        {
            failures.Add($"{WebhookOptions.SecretSetting} contains whitespace; paste the secret without spaces or line breaks.");
        }

        if (options.PreviousSecret is { Length: > 0 } unresolved && unresolved.StartsWith(KeyVaultReference.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add(KeyVaultReference.Unresolved(WebhookOptions.PreviousSecretSetting));
        }
        else if (options.PreviousSecret is { Length: > 0 } previous && previous.Any(char.IsWhiteSpace))
        {
            failures.Add($"{WebhookOptions.PreviousSecretSetting} contains whitespace; paste the secret without spaces or line breaks, or remove the setting.");
        }

        if (options.Tolerance < TimeSpan.FromSeconds(30) || options.Tolerance > TimeSpan.FromHours(1))
        {
            failures.Add($"{WebhookOptions.ToleranceSetting} must be between 00:00:30 and 01:00:00 (Athos's contract says 00:05:00); got {options.Tolerance}.");
        }

        if (options.DeliveryRetention < TimeSpan.FromDays(30) || options.DeliveryRetention > TimeSpan.FromDays(400))
        {
            failures.Add($"{WebhookOptions.DeliveryRetentionSetting} must be between 30 and 400 days (30.00:00:00 to 400.00:00:00); got {options.DeliveryRetention}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
