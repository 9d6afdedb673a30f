using System.Runtime.InteropServices;

namespace Athos.Webhooks.Tests.Deployment;

/// <summary>The operating systems the Bicep CLI locator tells apart.</summary>
public enum BicepOs
{
    Linux,
    MacOs,
    Windows,
    Other,
}

/// <summary>What the locator may look at: the platform, the environment and the file system (all fakeable).</summary>
/// <param name="BuildPackageRoot">MSBuild's <c>NuGetPackageRoot</c> when the tests were built, with or without a trailing separator.</param>
public sealed record BicepHost(
    BicepOs Os,
    Architecture Architecture,
    IReadOnlyDictionary<string, string> Environment,
    string? BuildPackageRoot,
    string Version,
    Func<string, bool> FileExists);

/// <summary>Where the Bicep CLI is, or what to install; and every place looked at.</summary>
public sealed record BicepResolution(string? Path, bool FromPackage, string? Problem, IReadOnlyList<string> Tried);

/// <summary>
/// Finds the Bicep CLI the same way on every machine, for the tests and for .ci/run (which runs these tests):
/// 1. the NuGet package for this OS and architecture (<c>Azure.Bicep.CommandLine.{rid}</c>, restored with the test
///    project) under MSBuild's <c>NuGetPackageRoot</c>, <c>NUGET_PACKAGES</c> or <c>~/.nuget/packages</c>;
/// 2. a <c>bicep</c> on <c>PATH</c>;
/// 3. the Azure CLI's own (<c>az bicep install</c>: <c>$AZURE_CONFIG_DIR/bin</c> or <c>~/.azure/bin</c>);
/// otherwise a problem that says exactly what to install.
/// </summary>
public static class BicepCliLocator
{
    /// <summary>The runtime identifiers NuGet serves a Bicep CLI package for.</summary>
    public static IReadOnlyList<string> PackagedRuntimes { get; } = ["linux-x64", "linux-arm64", "osx-x64", "osx-arm64", "win-x64", "win-arm64"];

    /// <summary>The NuGet package id for a platform, or <see langword="null"/> where NuGet serves none.</summary>
    public static string? PackageId(BicepOs os, Architecture architecture)
    {
        var osPart = os switch
        {
            BicepOs.Linux => "linux",
            BicepOs.MacOs => "osx",
            BicepOs.Windows => "win",
            _ => null,
        };
        var archPart = architecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            _ => null,
        };
        return osPart is null || archPart is null ? null : $"Azure.Bicep.CommandLine.{osPart}-{archPart}";
    }

    public static BicepResolution Resolve(BicepHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var tried = new List<string>();
        var executable = host.Os == BicepOs.Windows ? "bicep.exe" : "bicep";
        var packageId = PackageId(host.Os, host.Architecture);

        if (packageId is not null)
        {
            foreach (var root in PackageRoots(host))
            {
                var candidate = Join(host.Os, root, packageId.ToLowerInvariant(), host.Version, "tools", executable);
                if (Found(candidate))
                {
                    return new BicepResolution(candidate, FromPackage: true, Problem: null, tried);
                }
            }
        }

        foreach (var directory in Split(host.Os, Variable(host, "PATH")))
        {
            if (Found(Join(host.Os, directory, executable)))
            {
                return new BicepResolution(Join(host.Os, directory, executable), FromPackage: false, Problem: null, tried);
            }
        }

        foreach (var azureConfig in AzureCliDirectories(host))
        {
            var candidate = Join(host.Os, azureConfig, "bin", executable);
            if (Found(candidate))
            {
                return new BicepResolution(candidate, FromPackage: false, Problem: null, tried);
            }
        }

        var install = packageId is null
            ? $"NuGet serves no Bicep CLI package for {host.Os}/{host.Architecture}: install the Azure CLI's (`az bicep install`) or put a `{executable}` on PATH."
            : $"Restore the test project (`dotnet restore tests/Athos.Webhooks.Tests`, which downloads the NuGet package {packageId} {host.Version}), or install the Azure CLI's (`az bicep install`), or put a `{executable}` on PATH.";
        return new BicepResolution(null, FromPackage: false, $"The Bicep CLI was not found. {install} Looked at: {string.Join(", ", tried)}.", tried);

        bool Found(string candidate)
        {
            tried.Add(candidate);
            return host.FileExists(candidate);
        }
    }

    /// <summary>Joins path parts with the OS's separator, whether or not <paramref name="root"/> ends with one.</summary>
    public static string Join(BicepOs os, string root, params string[] parts)
    {
        var separator = os == BicepOs.Windows ? '\\' : '/';
        return root.TrimEnd('/', '\\') + separator + string.Join(separator, parts);
    }

    private static IEnumerable<string> PackageRoots(BicepHost host)
    {
        var roots = new[] { host.BuildPackageRoot, Variable(host, "NUGET_PACKAGES"), Home(host) is { } home ? Join(host.Os, home, ".nuget", "packages") : null };
        return roots.Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => r!.Trim()).Distinct(StringComparer.Ordinal);
    }

    private static IEnumerable<string> AzureCliDirectories(BicepHost host)
    {
        if (Variable(host, "AZURE_CONFIG_DIR") is { Length: > 0 } configured)
        {
            yield return configured;
        }

        if (Home(host) is { } home)
        {
            yield return Join(host.Os, home, ".azure");
        }
    }

    private static string? Home(BicepHost host) => Variable(host, host.Os == BicepOs.Windows ? "USERPROFILE" : "HOME");

    private static string[] Split(BicepOs os, string? path) =>
        (path ?? string.Empty).Split(os == BicepOs.Windows ? ';' : ':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // Environment variable names are case-insensitive on Windows only.
    private static string? Variable(BicepHost host, string name) =>
        host.Environment.TryGetValue(name, out var value) ? value
        : host.Os == BicepOs.Windows ? host.Environment.FirstOrDefault(e => string.Equals(e.Key, name, StringComparison.OrdinalIgnoreCase)).Value
        : null;

    /// <summary>This machine, as the tests run on it.</summary>
    public static BicepHost CurrentHost(string? buildPackageRoot, string version) => new(
        OperatingSystem.IsWindows() ? BicepOs.Windows : OperatingSystem.IsMacOS() ? BicepOs.MacOs : OperatingSystem.IsLinux() ? BicepOs.Linux : BicepOs.Other,
        RuntimeInformation.OSArchitecture,
        System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? string.Empty, StringComparer.Ordinal),
        buildPackageRoot,
        version,
        File.Exists);
}
