namespace Athos.Webhooks.Cli.Runner;

/// <summary>
/// The local runner's key for the routes Azure protects with a function or master key (backfill, health). Unset, those
/// routes answer loopback callers only.
/// </summary>
internal sealed class AdminKeyOptions
{
    public const string Setting = "ATHOS_ADMIN_KEY";

    /// <summary>Shorter keys are refused at start-up: the key may be all that stands between a network and a backfill.</summary>
    public const int MinLength = 16;

    [ConfigurationKeyName(Setting)]
    public string? Key { get; set; }
}
