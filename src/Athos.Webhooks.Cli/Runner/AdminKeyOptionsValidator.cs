using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Cli.Runner;

/// <summary>Start-up check of <c>ATHOS_ADMIN_KEY</c>, naming the setting to fix.</summary>
internal sealed class AdminKeyOptionsValidator : IValidateOptions<AdminKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminKeyOptions options)
    {
        if (options.Key is not { } key)
        {
            return ValidateOptionsResult.Success;
        }

        if (key.Length < AdminKeyOptions.MinLength || key.Any(char.IsWhiteSpace))
        {
            return ValidateOptionsResult.Fail($"{AdminKeyOptions.Setting} must be at least {AdminKeyOptions.MinLength} characters without whitespace (for example the output of `openssl rand -hex 32`), or unset to answer loopback callers only; got {key.Length} characters.");
        }

        return ValidateOptionsResult.Success;
    }
}
