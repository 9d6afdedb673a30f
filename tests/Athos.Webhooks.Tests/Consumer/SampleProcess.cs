using System.Diagnostics;

namespace Athos.Webhooks.Tests.Consumer;

/// <summary>A run of the built <c>samples/CallFeedFollower</c>, in the same configuration as these tests, to its end.</summary>
internal static class SampleProcess
{
    private static string Path
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{System.IO.Path.DirectorySeparatorChar}Release{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = System.IO.Path.Combine(RepositoryRoot.Path, "samples", "CallFeedFollower", "bin", configuration, "net10.0", "CallFeedFollower.dll");
            Assert.True(File.Exists(path), $"{path} is built with the tests");
            return path;
        }
    }

    /// <summary>Runs the sample with <paramref name="checkpointFile"/> against <paramref name="connectionString"/>; its exit code, output and errors.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string checkpointFile, string connectionString)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path);
        start.ArgumentList.Add(checkpointFile);
        start.Environment["ATHOS_CONSUMER_STORAGE"] = connectionString;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);

        // A guard against a hung run, not a measure of speed: the machine is shared, so it is generous.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"CallFeedFollower was still running after 2 minutes; output:\n{await output}\nerrors:\n{await error}");
        }

        return (process.ExitCode, await output, await error);
    }
}
