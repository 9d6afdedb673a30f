using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Athos.Simulator;
using Athos.Webhooks.Testing;
using Athos.Webhooks.Webhooks;

namespace Athos.Webhooks.Benchmarks;

/// <summary>
/// The local runner's cold start: from starting the real <c>athos-webhooks serve</c> process (an empty Azurite, so its
/// start-up creates the storage) to its first 202 for a signed webhook, sent again and again until one is answered.
/// Its floor is the same process doing the least it can (<c>athos-webhooks --version</c>: the runtime starting and the
/// command line parsed), in rounds alternating with it.
/// </summary>
internal static class ColdStartBenchmark
{
    private const int Rounds = 5;

    public static async Task RunAsync()
    {
        // The command built in this program's configuration, where the solution's build puts it.
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var cli = Path.Combine(RepositoryRoot.Path, "src", "Athos.Webhooks.Cli", "bin", configuration, "net10.0", "athos-webhooks.dll");
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException($"{cli} is not built: run `dotnet build Athos.Webhooks.sln -c {configuration}` first.");
        }

        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { FailureRate = 0 });
        var starts = new List<double>();
        var versions = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var serve in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                if (serve)
                {
                    starts.Add(await FirstAcceptedAsync(cli, simulator));
                }
                else
                {
                    versions.Add(await VersionAsync(cli));
                }
            }
        }

        starts.Sort();
        versions.Sort();
        var start = Measure.Percentile(starts, 0.5);
        var version = Measure.Percentile(versions, 0.5);
        Measure.Header($"Cold start of the local runner ({Rounds} rounds alternating with `athos-webhooks --version`; medians)");
        Measure.Row("Process start to first 202, this machine (fastest / median / slowest)", $"{Measure.Ms(starts[0])} / {Measure.Ms(start)} / {Measure.Ms(starts[^1])}");
        Measure.Row("Process start to `--version` exit, this machine (fastest / median / slowest)", $"{Measure.Ms(versions[0])} / {Measure.Ms(version)} / {Measure.Ms(versions[^1])}");
        Measure.Row("First 202 ÷ `--version`", Measure.Number(start / version));
    }

    private static async Task<double> VersionAsync(string cli)
    {
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo("dotnet", [cli, "--version"]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"athos-webhooks --version exited with {process.ExitCode}");
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    // A fresh Azurite each time: nothing exists yet, as on a first start.
    private static async Task<double> FirstAcceptedAsync(string cli, AthosSimulator simulator)
    {
        await using var azurite = await AzuriteInstance.StartAsync();
        var settings = StackSettings.For(simulator, azurite);
        settings["ATHOS_RECONCILE_SCHEDULE"] = "0 0 0 1 1 *";
        settings["ATHOS_RECONCILE_RESCAN_SCHEDULE"] = "0 0 0 1 1 *";
        var port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/api/athos/webhook");
        var call = simulator.AddCalls(1, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(-4))[0];
        var body = Encoding.UTF8.GetBytes($$"""{"event":"call.scored","success":true,"callId":"{{call.Id}}","source":"roleplay","externalUserId":"{{call.ExternalUserId}}","externalAgencyId":null,"occurredAt":"{{DateTimeOffset.UtcNow:o}}","requestId":"req_cold"}""");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var start = new ProcessStartInfo("dotnet", [cli, "serve", "--urls", $"http://127.0.0.1:{port}"]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            while (true)
            {
                if (process.HasExited || watch.Elapsed > TimeSpan.FromMinutes(1))
                {
                    throw new InvalidOperationException($"the runner answered no 202 (exited: {process.HasExited})");
                }

                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.CreateHeader(simulator.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body));
                request.Headers.Add(WebhookSigner.WebhookIdHeader, "wh_" + call.Id);
                try
                {
                    using var response = await http.SendAsync(request);
                    if ((int)response.StatusCode == 202)
                    {
                        return watch.Elapsed.TotalMilliseconds;
                    }
                }
                catch (HttpRequestException ex) when (ex.InnerException is SocketException)
                {
                    // Not listening yet.
                }

                await Task.Delay(10);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
