using Athos.Simulator;
using Athos.Webhooks.Testing;

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
        var settings = StackSettings.For(simulator, azurite);
        // No scheduled reconcile, rescan or export during a measurement; the production delay on what a reconcile queues, within
        // which a webhook item writes without reading first.
        settings["ATHOS_RECONCILE_SCHEDULE"] = "0 0 0 1 1 *";
        settings["ATHOS_RECONCILE_RESCAN_SCHEDULE"] = "0 0 0 1 1 *";
        settings["ATHOS_EXPORT_SCHEDULE"] = "0 0 0 1 1 *";
        settings.Remove("ATHOS_RECONCILE_QUEUE_DELAY");
        var runner = await InProcessRunner.StartAsync(settings, counter, logging => logging.SetMinimumLevel(LogLevel.Error));
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
