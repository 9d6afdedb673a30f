namespace Athos.Webhooks.AthosApi;

/// <summary>The Athos settings' one rule across two settings: the total budget must leave room for more than one attempt.</summary>
internal sealed class AthosTimeoutsValidator : IValidateOptions<AthosApiOptions>
{
    public ValidateOptionsResult Validate(string? name, AthosApiOptions options) =>
        options.TotalTimeout <= options.AttemptTimeout
            ? ValidateOptionsResult.Fail($"{AthosApiOptions.TotalTimeoutSetting} ({options.TotalTimeout}) must be longer than {AthosApiOptions.AttemptTimeoutSetting} ({options.AttemptTimeout}).")
            : ValidateOptionsResult.Success;
}
