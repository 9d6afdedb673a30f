namespace Athos.Webhooks.Settings;

/// <summary>
/// A secret pasted into an app setting, when set: not an unresolved Key Vault reference, no whitespace (a line break
/// copied with it), and, for secrets that carry one, the prefix that is part of the secret.
/// </summary>
internal sealed class SecretSettingAttribute : SettingValidationAttribute
{
    /// <summary>The prefix every value starts with (<c>whsec_</c>), or null.</summary>
    public string? Prefix { get; init; }

    /// <summary>
    /// An optional secret (unset is allowed): a value of only whitespace is then refused rather than taken for unset, so
    /// that a blank is never a key. A required one's blank is the RequiredSetting rule's to report.
    /// </summary>
    public bool Optional { get; init; }

    protected override string? Check(object? value, string setting) => (value as string) switch
    {
        null or "" => null,
        var blank when string.IsNullOrWhiteSpace(blank) && !Optional => null,
        var secret when secret.StartsWith(KeyVaultReference.Prefix, StringComparison.OrdinalIgnoreCase) => KeyVaultReference.Unresolved(setting),
        var secret when secret.Any(char.IsWhiteSpace) => $"{setting} contains whitespace; paste the secret without spaces or line breaks.",
        var secret when Prefix is not null && (!secret.StartsWith(Prefix, StringComparison.Ordinal) || secret.Length == Prefix.Length) =>
            $"{setting} does not look like an Athos signing secret ({Prefix}…): paste the whole secret Athos shows, prefix included.",
        _ => null,
    };
}
