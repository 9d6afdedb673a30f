using Athos.Simulator;
using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Testing;
using Azure.Core;
using Microsoft.Extensions.Azure;

namespace Athos.Webhooks.Benchmarks;

/// <summary>Azurite, the simulator and the local runner, started together; storage requests are counted.</summary>
internal sealed class Stack : IAsyncDisposable
{
    private Stack(AzuriteInstance azurite, AthosSimulator simulator, WebApplication runner, StorageRequestCounter counter)
    {
        Azurite = azurite;
        Simulator = simulator;
        Runner = runner;
        Counter = counter;
    }

    public AzuriteInstance Azurite { get; }

    public AthosSimulator Simulator { get; }

    public WebApplication Runner { get; }

    public StorageRequestCounter Counter { get; }

    public static async Task<Stack> StartAsync(SimulatorOptions? options = null)
    {
        var azurite = await AzuriteInstance.StartAsync();
        var simulator = await AthosSimulator.StartAsync(options ?? new SimulatorOptions { FailureRate = 0 });
        var counter = new StorageRequestCounter();
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["ATHOS_API_KEY"] = simulator.ApiKey,
            ["ATHOS_BASE_URL"] = simulator.BaseUrl.ToString(),
            ["ATHOS_WHSEC"] = simulator.WebhookSecret,
            // No scheduled reconcile during a measurement.
            ["ATHOS_RECONCILE_SCHEDULE"] = "0 0 0 1 1 *",
            // What a reconcile queues is measured at once, not after the delay that lets webhooks go first.
            ["ATHOS_RECONCILE_QUEUE_DELAY"] = "00:00:00",
        };
        var runner = LocalRunner.Build(
            "http://127.0.0.1:0",
            settings,
            logging => logging.SetMinimumLevel(LogLevel.Error),
            services => services.AddAzureClients(azure => azure.ConfigureDefaults(o => o.AddPolicy(counter, HttpPipelinePosition.PerCall))));
        await runner.StartAsync();
        return new Stack(azurite, simulator, runner, counter);
    }

    public async ValueTask DisposeAsync()
    {
        await Runner.StopAsync();
        await Runner.DisposeAsync();
        await Simulator.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
