using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Changes;

/// <summary>Start-up check of the change feed's retention, naming the setting to fix.</summary>
internal sealed class ChangeFeedOptionsValidator : IValidateOptions<ChangeFeedOptions>
{
    public ValidateOptionsResult Validate(string? name, ChangeFeedOptions options) =>
        options.Retention < ChangeFeedOptions.MinRetention || options.Retention > ChangeFeedOptions.MaxRetention
            ? ValidateOptionsResult.Fail($"{ChangeFeedOptions.RetentionSetting} must be between 1 and 400 days (1.00:00:00 to 400.00:00:00); got {options.Retention}.")
            : ValidateOptionsResult.Success;
}
