using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Cli.Runner;

/// <summary>Start-up check of the runner's settings, naming the setting to fix as the core's setting rules do.</summary>
internal sealed class RunnerOptionsValidator : IValidateOptions<RunnerOptions>
{
    public ValidateOptionsResult Validate(string? name, RunnerOptions options) =>
        options.MessageLease >= RunnerOptions.MinMessageLease
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{RunnerOptions.MessageLeaseSetting} must be a duration of at least 00:00:02, such as 00:01:00; got {options.MessageLease}.");
}
