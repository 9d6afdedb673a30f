namespace Athos.Webhooks.Cli.Runner;

/// <summary>
/// The local runner's keys for the routes Azure protects with a key: <c>ATHOS_FUNCTION_KEY</c> for function-level routes
/// (health), <c>ATHOS_ADMIN_KEY</c> for admin-level ones (starting and reading a backfill, which costs Athos requests),
/// as Azure's function and master keys. The admin key opens function-level routes too. A key left unset is generated
/// at start-up and printed (<see cref="RunnerKeys"/>): loopback is not authorization, since a tunnel on the same machine
/// makes every caller local.
/// </summary>
internal sealed class AdminKeyOptions
{
    public const string Setting = "ATHOS_ADMIN_KEY";
    public const string FunctionSetting = "ATHOS_FUNCTION_KEY";

    /// <summary>Shorter keys are refused at start-up: a key may be all that stands between a network and a backfill.</summary>
    public const int MinLength = 16;

    private string? _key;
    private string? _functionKey;

    /// <summary>
    /// The admin key, or null when unset. Empty or whitespace-only is unset too: an app setting cleared in the portal, or
    /// <c>ATHOS_ADMIN_KEY=</c> in an environment file, is read as an empty value, not as a key.
    /// </summary>
    [ConfigurationKeyName(Setting)]
    public string? Key
    {
        get => _key;
        set => _key = string.IsNullOrWhiteSpace(value) ? null : value;
    }

    /// <summary>The function key, or null when unset (empty counts as unset).</summary>
    [ConfigurationKeyName(FunctionSetting)]
    public string? FunctionKey
    {
        get => _functionKey;
        set => _functionKey = string.IsNullOrWhiteSpace(value) ? null : value;
    }
}
