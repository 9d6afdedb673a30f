using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>
/// The real Azure Functions host running the Functions app: <c>func start --no-build</c> (Azure Functions Core Tools) in a
/// copy of the app's build output, whose <c>local.settings.json</c> holds the test's settings (its Azurite, its
/// simulator), on a free port; ready once the host reports <c>Running</c>, killed with its worker on dispose. Used where
/// <c>func</c> is on PATH (<see cref="PipelineHost"/>); it has never run on the development machine, which cannot install
/// Core Tools (docs/operations.md, "The real Functions host").
/// </summary>
public sealed class FunctionsHostProcess : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly Process _process;
    private readonly string _directory;
    private readonly ConcurrentQueue<string> _output = new();

    private FunctionsHostProcess(Process process, string directory, Uri baseUrl) => (_process, _directory, BaseUrl) = (process, directory, baseUrl);

    public Uri BaseUrl { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the host printed, for a failing assertion to show.</summary>
    public string Tail => string.Join(Environment.NewLine, _output.TakeLast(60));

    /// <summary>The app's settings as Core Tools reads them: the worker runtime, and every setting as an app setting.</summary>
    public static string LocalSettingsJson(IReadOnlyDictionary<string, string?> settings)
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated" };
        foreach (var (name, value) in settings.Where(s => s.Value is not null))
        {
            values[name] = value!;
        }

        return JsonSerializer.Serialize(new Dictionary<string, object> { ["IsEncrypted"] = false, ["Values"] = values }, Indented);
    }

    public static async Task<FunctionsHostProcess> StartAsync(IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("athos-functions-").FullName;
        foreach (var file in Directory.EnumerateFiles(BuiltDirectory, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(directory, Path.GetRelativePath(BuiltDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "local.settings.json"), LocalSettingsJson(settings), cancellationToken);
        var port = RunnerProcess.FreePort();
        var start = new ProcessStartInfo("func") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "start", "--no-build", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        var host = new FunctionsHostProcess(Process.Start(start)!, directory, new Uri($"http://127.0.0.1:{port}/"));
        host._process.OutputDataReceived += (_, e) => host.Keep(e.Data);
        host._process.ErrorDataReceived += (_, e) => host.Keep(e.Data);
        host._process.BeginOutputReadLine();
        host._process.BeginErrorReadLine();
        try
        {
            await host.WaitUntilRunningAsync(TimeSpan.FromMinutes(2), cancellationToken);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // The host and the dotnet worker it started.
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The Functions app built in the same configuration as these tests (the test project references it).</summary>
    private static string BuiltDirectory
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = Path.Combine(RepositoryRoot.Path, "src", "Athos.Webhooks.Functions", "bin", configuration, "net10.0");
            Assert.True(File.Exists(Path.Combine(path, "functions.metadata")), $"the Functions app is built in {path}");
            return path;
        }
    }

    // The host's own status (an admin route, open under Core Tools): "Running" once every function is loaded.
    private async Task WaitUntilRunningAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Assert.False(_process.HasExited, $"func start exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Tail}");
            Assert.True(DateTime.UtcNow < deadline, $"the Functions host was not running within {timeout}:\n{Tail}");
            try
            {
                using var status = JsonDocument.Parse(await http.GetStringAsync("admin/host/status", cancellationToken));
                if (status.RootElement.TryGetProperty("state", out var state) && state.GetString() == "Running")
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Listening, not answering yet.
            }

            await Task.Delay(500, cancellationToken);
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 500)
        {
            _output.TryDequeue(out _);
        }
    }
}
