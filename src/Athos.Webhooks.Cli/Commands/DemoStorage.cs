using System.Net;
using Athos.Webhooks.Hosting;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>
/// Where <c>serve --demo</c> would write, and whether that is the local storage emulator. The demo writes simulated
/// calls and takes the reconcile lease: pointed at a real account it would do both there, so anything but the
/// emulator needs <see cref="AnywhereFlag"/>.
/// </summary>
internal static class DemoStorage
{
    public const string AnywhereFlag = "--demo-storage-anywhere";

    /// <summary>What the demo uses when the environment names no storage at all.</summary>
    public const string Emulator = "UseDevelopmentStorage=true";

    /// <summary>Azurite's one well-known account (its key is public).</summary>
    private const string EmulatorAccount = "devstoreaccount1";

    /// <summary>
    /// The demo's storage as the runner will read it: the connection string the environment gives, or
    /// <see langword="null"/> for identity-based settings (which the runner then uses), or <see cref="Emulator"/>.
    /// </summary>
    public static string? Resolve(IConfiguration environment, out bool identityBased)
    {
        var section = environment.GetSection(IAthosSettings.Storage);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            identityBased = false;
            return section.Value.Trim();
        }

        identityBased = section.GetChildren().Any(child => !string.IsNullOrWhiteSpace(child.Value));
        return identityBased ? null : Emulator;
    }

    /// <summary>
    /// Why the demo must not write to <paramref name="connectionString"/>, or <see langword="null"/> when it is the
    /// emulator: <c>UseDevelopmentStorage=true</c>, or <c>devstoreaccount1</c> with every endpoint on a loopback host
    /// (any port). Identity-based storage is never the emulator. The reason names the account or host, never the key.
    /// </summary>
    public static string? RefusalReason(string? connectionString)
    {
        if (connectionString is null)
        {
            return $"{IAthosSettings.Storage} is identity-based ({IAthosSettings.Storage}__accountName or the service URIs), which is a real storage account, never the emulator";
        }

        var parts = Parse(connectionString);
        if (parts.TryGetValue("UseDevelopmentStorage", out var development))
        {
            return string.Equals(development, "true", StringComparison.OrdinalIgnoreCase) && !parts.ContainsKey("DevelopmentStorageProxyUri")
                ? null
                : $"{IAthosSettings.Storage} asks for development storage through a proxy, which is not the local emulator";
        }

        var account = parts.GetValueOrDefault("AccountName");
        if (!string.Equals(account, EmulatorAccount, StringComparison.Ordinal))
        {
            return $"{IAthosSettings.Storage} names the storage account '{account ?? "(none)"}', not the emulator's {EmulatorAccount}";
        }

        foreach (var endpoint in new[] { "BlobEndpoint", "QueueEndpoint", "TableEndpoint" })
        {
            // Without an explicit endpoint the SDK derives one in the cloud (https://devstoreaccount1.blob.core.windows.net).
            if (!parts.TryGetValue(endpoint, out var value) || !Uri.TryCreate(value, UriKind.Absolute, out var uri))
            {
                return $"{IAthosSettings.Storage} gives no {endpoint} on this machine, so {EmulatorAccount} would be looked for in the cloud";
            }

            if (!IsLoopback(uri))
            {
                return $"{IAthosSettings.Storage}'s {endpoint} is on {uri.Host}, not on this machine (127.0.0.1, localhost or ::1)";
            }
        }

        return null;
    }

    /// <summary>The message for a refused storage: what was found, and the two ways out.</summary>
    public static string Refusal(string reason) =>
        $"serve --demo writes simulated calls and takes the reconcile lease, so it only runs against the local storage emulator (Azurite) unless told otherwise: {reason}. "
        + $"Point {IAthosSettings.Storage} at Azurite ('{Emulator}', or {EmulatorAccount} on 127.0.0.1, localhost or ::1), or unset it; "
        + $"or pass {AnywhereFlag} if simulated calls really may be written there.";

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private static Dictionary<string, string> Parse(string connectionString)
    {
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                parts[part[..equals].Trim()] = part[(equals + 1)..].Trim();
            }
        }

        return parts;
    }
}
