using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Cli.Runner;

/// <summary>Start-up check of <c>ATHOS_ADMIN_KEY</c> and <c>ATHOS_FUNCTION_KEY</c>, naming the setting to fix.</summary>
internal sealed class AdminKeyOptionsValidator : IValidateOptions<AdminKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminKeyOptions options)
    {
        var failures = new List<string>();
        Check(AdminKeyOptions.Setting, options.Key, failures);
        Check(AdminKeyOptions.FunctionSetting, options.FunctionKey, failures);
        if (failures.Count == 0 && options.Key is not null && options.Key == options.FunctionKey)
        {
            failures.Add($"{AdminKeyOptions.FunctionSetting} must differ from {AdminKeyOptions.Setting}: the function key is the one a health probe holds, and must not start a backfill.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(string setting, string? key, List<string> failures)
    {
        if (key is not null && (key.Length < AdminKeyOptions.MinLength || key.Any(char.IsWhiteSpace)))
        {
            failures.Add($"{setting} must be at least {AdminKeyOptions.MinLength} characters without whitespace (for example the output of `openssl rand -hex 32`), or unset to have one generated at start-up; got {key.Length} characters.");
        }
    }
}
