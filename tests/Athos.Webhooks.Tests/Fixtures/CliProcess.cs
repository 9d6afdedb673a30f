using System.Diagnostics;
using System.Text;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>The real <c>athos-webhooks</c> process, built in the same configuration as these tests, with a clean storage environment.</summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly Lock _gate = new();

    private CliProcess(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_gate)
            {
                return _error.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The directory the built <c>athos-webhooks</c> runs from (its host.json beside it), to copy for a host.json of a test's own.</summary>
    public static string BuiltDirectory => System.IO.Path.GetDirectoryName(Path)!;

    /// <summary>
    /// Starts <c>athos-webhooks</c> with <paramref name="arguments"/>. No storage or Athos setting is inherited from
    /// the test's own environment; <paramref name="environment"/> gives them (a <see langword="null"/> value unsets one).
    /// </summary>
    /// <param name="directory">A copy of <see cref="BuiltDirectory"/> to run instead (with a host.json of its own).</param>
    public static CliProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, string? directory = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(directory is null ? Path : System.IO.Path.Combine(directory, System.IO.Path.GetFileName(Path)));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AzureWebJobsStorage", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ATHOS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
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

        var cli = new CliProcess(new Process { StartInfo = start });
        cli._process.OutputDataReceived += (_, e) => cli.Append(cli._output, e.Data);
        cli._process.ErrorDataReceived += (_, e) => cli.Append(cli._error, e.Data);
        cli._process.Start();
        cli._process.BeginOutputReadLine();
        cli._process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Waits for the process to exit by itself, or kills it after <paramref name="timeout"/> and fails.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"athos-webhooks was still running after {timeout}; output:\n{Output}\nerrors:\n{Error}");
        }

        // The asynchronous readers may still be delivering the last lines.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Waits until the output contains <paramref name="text"/>; fails if the process exits first or the time runs out.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.False(_process.HasExited, $"athos-webhooks exited with {(_process.HasExited ? _process.ExitCode : 0)} before printing '{text}'; output:\n{Output}\nerrors:\n{Error}");
            Assert.True(DateTime.UtcNow < deadline, $"athos-webhooks printed no '{text}' within {timeout}; output:\n{Output}\nerrors:\n{Error}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits until the file <paramref name="path"/> exists (the process made it); fails if the process exits first or the time runs out.</summary>
    public async Task WaitForFileAsync(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!File.Exists(path))
        {
            Assert.False(_process.HasExited, $"athos-webhooks exited with {(_process.HasExited ? _process.ExitCode : 0)} before making {path}; output:\n{Output}\nerrors:\n{Error}");
            Assert.True(DateTime.UtcNow < deadline, $"athos-webhooks made no {path} within {timeout}; output:\n{Output}\nerrors:\n{Error}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Kills the process at once (SIGKILL on Linux: no handler runs) and waits for it to be gone.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private static string Path
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{System.IO.Path.DirectorySeparatorChar}Release{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = System.IO.Path.Combine(RepositoryRoot.Path, "src", "Athos.Webhooks.Cli", "bin", configuration, "net10.0", "athos-webhooks.dll");
            Assert.True(File.Exists(path), $"{path} is built with the tests");
            return path;
        }
    }

    private void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            builder.AppendLine(line);
        }
    }
}
