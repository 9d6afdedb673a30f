using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Athos.Webhooks.Tests.Fixtures;

namespace Athos.Webhooks.Tests.Eng;

/// <summary>
/// eng/run-local.ps1, the Windows-friendly twin of eng/run-local.sh, run under PowerShell (the repository's local .NET
/// tool, <c>dotnet tool restore</c>): it starts Azurite and the demo pipeline, its webhook endpoint answers, and it
/// stops everything it started.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class RunLocalScriptTests
{
    private static readonly string Script = Path.Combine(RepositoryRoot.Path, "eng", "run-local.ps1");

    [Fact]
    public async Task The_PowerShell_run_local_starts_azurite_and_the_demo_answers_webhooks_and_leaves_no_process_behind()
    {
        var ports = FreePorts(4);
        var url = $"http://127.0.0.1:{ports[3]}";

        var (exit, output) = await PwshAsync(
            TimeSpan.FromMinutes(3),
            [Script, "-NoBuild", "-StopWhenReady", "-Urls", url, "-BlobPort", $"{ports[0]}", "-QueuePort", $"{ports[1]}", "-TablePort", $"{ports[2]}"]);

        Assert.True(exit == 0, output);
        Assert.Contains($"Azurite (in memory): blob {ports[0]}, queue {ports[1]}, table {ports[2]}.", output, StringComparison.Ordinal);
        Assert.Contains($"Ready: {url}/api/athos/webhook answered 401 to an unsigned delivery.", output, StringComparison.Ordinal);
        // Everything it started has stopped: nothing listens on Azurite's ports or the endpoint's any more.
        Assert.All(ports, port => Assert.False(Listening(port), $"port {port} is still open"));
    }

    [Fact]
    public async Task The_PowerShell_run_local_refuses_an_API_key_without_the_webhook_secret()
    {
        var (exit, output) = await PwshAsync(TimeSpan.FromMinutes(1), [Script, "-NoBuild"], ("ATHOS_API_KEY", "ath_live_only_the_key"));

        Assert.Equal(2, exit);
        Assert.Contains("ATHOS_API_KEY is set but ATHOS_WHSEC is not", output, StringComparison.Ordinal);
    }

    /// <summary>Runs <c>dotnet pwsh -File …</c> from the repository root, with the demo's environment (no Athos, no storage).</summary>
    private static async Task<(int ExitCode, string Output)> PwshAsync(TimeSpan timeout, string[] arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepositoryRoot.Path };
        foreach (var argument in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-File" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "ATHOS_API_KEY", "ATHOS_WHSEC", "ATHOS_BASE_URL", "AzureWebJobsStorage" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"PowerShell did not finish within {timeout}:\n{output}");
        }

        process.WaitForExit();
        var text = output.ToString();
        if (text.Contains("Run \"dotnet tool restore\"", StringComparison.Ordinal) || text.Contains("dotnet-pwsh does not exist", StringComparison.Ordinal))
        {
            Assert.Fail($"PowerShell (the local .NET tool) is not restored: run `dotnet tool restore` in {RepositoryRoot.Path}.\n{text}");
        }

        return (process.ExitCode, text);
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    private static bool Listening(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
