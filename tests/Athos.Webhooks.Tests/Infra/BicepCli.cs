using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace Athos.Webhooks.Tests.Infra;

/// <summary>The Bicep CLI restored with the tests (NuGet package Azure.Bicep.CommandLine.linux-x64), run offline.</summary>
internal static class BicepCli
{
    public static string Path { get; } = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepCli").Value!;

    public static string MainTemplate => System.IO.Path.Combine(RepositoryRoot.Path, "infra", "main.bicep");

    /// <summary>Runs the CLI and returns its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(params string[] arguments)
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"The Bicep CLI is not at {Path}: restore the test project (dotnet restore) to download it.");
        }

        if (!OperatingSystem.IsWindows())
        {
            // NuGet does not keep the executable bit.
            File.SetUnixFileMode(Path, File.GetUnixFileMode(Path) | UnixFileMode.UserExecute);
        }
        var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
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
}
