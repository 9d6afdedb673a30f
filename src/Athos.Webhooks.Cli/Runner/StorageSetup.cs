using Athos.Webhooks.Hosting;

namespace Athos.Webhooks.Cli.Runner;

/// <summary>Creates the queues, tables and containers before the worker starts (Bicep does this in Azure).</summary>
internal sealed class StorageSetup(IRunnerPlatform platform) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => platform.CreateStorageAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
