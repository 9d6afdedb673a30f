using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Cli.Runner;

/// <summary>
/// The keys this run of the runner accepts: the configured ones, else generated once at start-up (32 random bytes,
/// hex) and printed on the console for the operator, never logged.
/// </summary>
internal sealed class RunnerKeys
{
    public RunnerKeys(IOptions<AdminKeyOptions> options)
    {
        var settings = options.Value;
        (Admin, AdminGenerated) = settings.Key is { } admin ? (admin, false) : (Generate(), true);
        (Function, FunctionGenerated) = settings.FunctionKey is { } function ? (function, false) : (Generate(), true);
    }

    /// <summary>Admin level (backfill): the master key's counterpart.</summary>
    public string Admin { get; }

    /// <summary>Function level (health).</summary>
    public string Function { get; }

    public bool AdminGenerated { get; }

    public bool FunctionGenerated { get; }

    /// <summary>What to print at start-up for a key that was generated, or nothing when both were configured.</summary>
    public IEnumerable<string> Announcement()
    {
        if (FunctionGenerated)
        {
            yield return $"Function key ({AdminKeyOptions.FunctionSetting} unset, generated for this run): {Function}   (health: ?code=<key> or the x-functions-key header)";
        }

        if (AdminGenerated)
        {
            yield return $"Admin key ({AdminKeyOptions.Setting} unset, generated for this run):       {Admin}   (backfill)";
        }
    }

    private static string Generate() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
