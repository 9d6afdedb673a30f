namespace Athos.Webhooks.Cli.Runner;

/// <summary>
/// The local runner's key for the routes Azure protects with a function or master key (backfill, health). Unset, those
/// routes answer loopback callers only (empty counts as unset).
/// </summary>
internal sealed class AdminKeyOptions
{
    public const string Setting = "ATHOS_ADMIN_KEY";

    /// <summary>Shorter keys are refused at start-up: the key may be all that stands between a network and a backfill.</summary>
    public const int MinLength = 16;

    private string? _key;

    /// <summary>
    /// The key, or null when unset. Empty or whitespace-only is unset too: an app setting cleared in the portal, or
    /// <c>ATHOS_ADMIN_KEY=</c> in an environment file, is read as an empty value, not as a key.
    /// </summary>
    [ConfigurationKeyName(Setting)]
    public string? Key
    {
        get => _key;
        set => _key = string.IsNullOrWhiteSpace(value) ? null : value;
    }
}
