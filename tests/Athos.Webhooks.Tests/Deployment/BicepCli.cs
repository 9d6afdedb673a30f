using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace Athos.Webhooks.Tests.Deployment;

/// <summary>
/// The Bicep CLI, found by <see cref="BicepCliLocator"/> (the NuGet package for this OS and architecture, restored with
/// the tests, else a <c>bicep</c> on PATH or the Azure CLI's), run offline. .ci/run compiles and lints infra/ through
/// these tests, so the tests and CI cannot find different CLIs.
/// </summary>
internal static class BicepCli
{
    private static readonly Lazy<BicepResolution> Resolution = new(() => BicepCliLocator.Resolve(BicepCliLocator.CurrentHost(Metadata("NuGetPackageRoot"), Version)));

    /// <summary>The version pinned in Directory.Build.props (<c>BicepCliVersion</c>).</summary>
    public static string Version => Metadata("BicepCliVersion") ?? throw new InvalidOperationException("The test assembly does not say which Bicep CLI version it pins.");

    /// <summary>The package MSBuild downloaded for this machine, empty where NuGet serves none.</summary>
    public static string? DownloadedPackage => Metadata("BicepCliPackage");

    public static BicepResolution Located => Resolution.Value;

    public static string Path => Located.Path ?? throw new InvalidOperationException(Located.Problem);

    public static string InfraDirectory => System.IO.Path.Combine(RepositoryRoot.Path, "infra");

    public static string MainTemplate => System.IO.Path.Combine(InfraDirectory, "main.bicep");

    /// <summary>Runs the CLI and returns its exit code and everything it printed.</summary>
    public static Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(params string[] arguments) => RunAsync(null, arguments);

    /// <summary>Runs the CLI with some environment variables changed (a <see langword="null"/> value unsets one).</summary>
    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        var path = Path;
        if (Located.FromPackage && !OperatingSystem.IsWindows())
        {
            // NuGet does not keep the executable bit.
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        }

        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Compiles a Bicep file to its ARM JSON.</summary>
    public static async Task<JsonElement> BuildAsync(string file)
    {
        var (exit, output, error) = await RunAsync("build", file, "--stdout");
        if (exit != 0)
        {
            throw new InvalidOperationException($"bicep build {file} failed ({exit}):\n{error}");
        }

        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static string? Metadata(string key) =>
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value is { Length: > 0 } value ? value : null;
}
