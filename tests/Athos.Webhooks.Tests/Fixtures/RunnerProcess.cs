using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>The real <c>athos-webhooks serve</c> process, built with the tests, started with the given settings.</summary>
public sealed class RunnerProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private RunnerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The last lines it printed (standard output and error), for a failing assertion to show.</summary>
    public string Tail => string.Join(Environment.NewLine, _output.TakeLast(40));

    /// <summary>Whether it printed a line containing <paramref name="text"/>.</summary>
    public bool Printed(string text) => _output.Any(line => line.Contains(text, StringComparison.Ordinal));

    /// <param name="settings">Its environment.</param>
    /// <param name="urls">Where it listens.</param>
    /// <param name="directory">A copy of the built runner to run instead (<see cref="BuiltCopy"/>: a host.json of its own).</param>
    public static RunnerProcess Start(IReadOnlyDictionary<string, string?> settings, string urls = "http://127.0.0.1:0", string? directory = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(directory is null ? CliPath() : Path.Combine(directory, Path.GetFileName(CliPath())));
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(urls);
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        var runner = new RunnerProcess(Process.Start(start)!);
        runner._process.OutputDataReceived += (_, e) => runner.Keep(e.Data);
        runner._process.ErrorDataReceived += (_, e) => runner.Keep(e.Data);
        runner._process.BeginOutputReadLine();
        runner._process.BeginErrorReadLine();
        return runner;
    }

    /// <summary>A loopback port free right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until it accepts connections on <paramref name="port"/>.</summary>
    public async Task WaitUntilListeningAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Assert.False(_process.HasExited, $"the runner exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Tail}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>The most memory it has held (VmHWM, Linux), or null where that cannot be read.</summary>
    public long? PeakResidentBytes()
    {
        var status = $"/proc/{_process.Id}/status";
        if (!File.Exists(status))
        {
            return null;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>kill -9: no shutdown, no draining.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    /// <summary>The CLI built in the same configuration as these tests.</summary>
    private static string CliPath()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(RepositoryRoot.Path, "src", "Athos.Webhooks.Cli", "bin", configuration, "net10.0", "athos-webhooks.dll");
        Assert.True(File.Exists(path), $"{path} is built with the tests");
        return path;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 2000)
        {
            _output.TryDequeue(out _);
        }
    }
}
