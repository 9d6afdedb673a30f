using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Cli.Runner;

/// <summary>Creates the queues, tables and containers before the worker starts (Bicep does this in Azure).</summary>
internal sealed class StorageSetup(StorageInitializer storage) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => storage.EnsureCreatedAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
