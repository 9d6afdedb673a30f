namespace Athos.Webhooks.Settings;

/// <summary>
/// App Service passes a Key Vault reference it could not resolve through as its literal text; a setting that still
/// reads <c>@Microsoft.KeyVault(…)</c> means the identity could not read the secret.
/// </summary>
internal static class KeyVaultReference
{
    public const string Prefix = "@Microsoft.KeyVault(";

    public static string Unresolved(string setting) =>
        $"{setting} is a Key Vault reference that did not resolve: check that the app's identity has 'Key Vault Secrets User' on the vault, that keyVaultReferenceIdentity names it, and that the secret exists.";
}
