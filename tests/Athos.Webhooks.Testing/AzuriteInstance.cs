using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Athos.Webhooks.Testing;

/// <summary>
/// The repository-pinned Azurite (npm), in memory on loopback ports it picks itself. Fails fast, saying what to
/// install, when Node.js or Azurite is missing.
/// </summary>
public sealed partial class AzuriteInstance : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly string _node;
    private readonly string _script;
    private readonly string? _location;
    private Process? _process;

    private AzuriteInstance(string node, string script, string? location = null)
    {
        _node = node;
        _script = script;
        _location = location;
    }

    /// <summary>The pinned Azurite under the repository's node_modules.</summary>
    public static string DefaultScript => Path.Combine(RepositoryRoot.Path, "node_modules", "azurite", "dist", "src", "azurite.js");

    public int BlobPort { get; private set; }

    public int QueuePort { get; private set; }

    public int TablePort { get; private set; }

    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + AccountKey + ";"
        + $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;"
        + $"QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;"
        + $"TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The CPU time Azurite's process has used so far (a benchmark tells from it whether Azurite was the bound).</summary>
    public TimeSpan ProcessorTime => _process is { HasExited: false } process ? process.TotalProcessorTime : TimeSpan.Zero;

    public static async Task<AzuriteInstance> StartAsync(CancellationToken cancellationToken = default) =>
        await StartAsync("node", DefaultScript, cancellationToken);

    public static async Task<AzuriteInstance> StartAsync(string node, string script, CancellationToken cancellationToken = default)
    {
        var instance = new AzuriteInstance(node, script);
        await instance.StartProcessAsync(0, 0, 0, cancellationToken);
        return instance;
    }

    /// <summary>
    /// Azurite keeping its data on disk in <paramref name="location"/>, so that it survives <see cref="ShutDownAsync"/>
    /// and <see cref="RestartAsync"/>: how a storage outage is simulated without losing what was stored.
    /// </summary>
    public static async Task<AzuriteInstance> StartPersistentAsync(string location, CancellationToken cancellationToken = default)
    {
        var instance = new AzuriteInstance("node", DefaultScript, location);
        await instance.StartProcessAsync(0, 0, 0, cancellationToken);
        return instance;
    }

    /// <summary>Stops Azurite at once (in-memory data is lost), keeping the ports for <see cref="RestartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }

    /// <summary>Stops Azurite as a service manager would (SIGTERM), letting it save its data to disk first.</summary>
    public async Task ShutDownAsync()
    {
        if (_process is not { } process || OperatingSystem.IsWindows())
        {
            await StopAsync();
            return;
        }

        _process = null;
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
    }

    /// <summary>Starts Azurite again on the same ports: empty, or with its data when it keeps it on disk.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync();
        await StartProcessAsync(BlobPort, QueuePort, TablePort, cancellationToken);
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task StartProcessAsync(int blobPort, int queuePort, int tablePort, CancellationToken cancellationToken)
    {
        if (!File.Exists(_script))
        {
            throw new InvalidOperationException($"Azurite is not installed ({_script} is missing): run `npm ci` in {RepositoryRoot.Path} (Node.js 20 or later), then run the tests again.");
        }

        var start = new ProcessStartInfo(_node)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        string[] persistence = _location is null ? ["--inMemoryPersistence"] : ["--location", _location];
        string[] arguments =
        [
            _script, "--silent", "--disableTelemetry", .. persistence, "--skipApiVersionCheck", "--loose",
            "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", tablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"Node.js ('{_node}') was not found on PATH ({ex.Message}); install Node.js 20 or later to run Azurite.", ex);
        }

        var output = new StringBuilder();
        var ports = new Dictionary<string, int>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"Azurite exited during start-up:\n{output}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await ready.Task.WaitAsync(StartTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"Azurite did not report its ports within {StartTimeout.TotalSeconds} s:\n{output}");
        }

        BlobPort = ports["Blob"];
        QueuePort = ports["Queue"];
        TablePort = ports["Table"];
        _process = process;

        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
                if (ListeningLine().Match(line) is { Success: true } match)
                {
                    ports[match.Groups["service"].Value] = int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
                    if (ports.Count == 3)
                    {
                        ready.TrySetResult();
                    }
                }
            }
        }
    }

    [GeneratedRegex(@"Azurite (?<service>Blob|Queue|Table) service is successfully listening at http://127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
