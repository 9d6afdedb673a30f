using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Hosting;
using Athos.Webhooks.Storage;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>
/// The host an end-to-end test runs the pipeline in: the local runner in this process (the default), or the real Azure
/// Functions host (<c>func start</c> of the Functions app, <see cref="FunctionsHostProcess"/>) when
/// <c>ATHOS_E2E_HOST=functions</c>, which <c>eng/functions-host-tests.sh</c> sets in CI where Core Tools are installed.
/// A test sends webhooks to <see cref="WebhookUrl"/>, waits with <see cref="DrainAsync"/>, and runs a reconcile as its
/// timer would through <see cref="Services"/> (on the Functions host: the same composition root in this process,
/// against the same storage and Athos; the host's queue trigger stores what it queues).
/// </summary>
public sealed class PipelineHost : IAsyncDisposable
{
    public const string HostVariable = "ATHOS_E2E_HOST";

    private readonly WebApplication? _runner;
    private readonly FunctionsHostProcess? _functions;
    private readonly ServiceProvider? _services;
    private readonly string _storage;

    private PipelineHost(WebApplication runner, string storage) =>
        (_runner, _storage, WebhookUrl, Services) = (runner, storage, LocalRunner.WebhookUrl(runner), runner.Services);

    private PipelineHost(FunctionsHostProcess functions, ServiceProvider services, string storage) =>
        (_functions, _services, _storage, WebhookUrl, Services) = (functions, services, storage, new Uri(functions.BaseUrl, AthosHttpEndpoints.WebhookPath.TrimStart('/')), services);

    /// <summary>Whether this run's end-to-end tests go to the Functions host.</summary>
    public static bool IsFunctionsHost => string.Equals(Environment.GetEnvironmentVariable(HostVariable), "functions", StringComparison.OrdinalIgnoreCase);

    public Uri WebhookUrl { get; }

    public IServiceProvider Services { get; }

    /// <summary>
    /// Starts the host with <paramref name="settings"/> (its app settings). Only the in-process runner's storage
    /// requests can be counted (<paramref name="counter"/>); the Functions host's are its own.
    /// </summary>
    public static async Task<PipelineHost> StartAsync(Dictionary<string, string?> settings, StorageRequestCounter? counter, CancellationToken cancellationToken)
    {
        var storage = settings[StorageOptions.Setting]!;
        if (!IsFunctionsHost)
        {
            return new PipelineHost(await InProcessRunner.StartAsync(settings, counter, cancellationToken: cancellationToken), storage);
        }

        var services = new ServiceCollection().AddAthosWebhooks(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).BuildServiceProvider();
        // What Bicep creates in Azure: the Functions app creates no storage (docs/architecture.md, "Start-up").
        await services.GetRequiredService<StorageInitializer>().EnsureCreatedAsync(cancellationToken);
        return new PipelineHost(await FunctionsHostProcess.StartAsync(settings, cancellationToken), services, storage);
    }

    /// <summary>Waits until <c>athos-calls</c> is worked off: empty, counting messages in flight, on three reads in a row.</summary>
    public async Task DrainAsync()
    {
        if (_runner is not null)
        {
            await RunnerDrain.WaitAsync(_runner);
            return;
        }

        var queue = new QueueClient(_storage, StorageNames.CallsQueue);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        for (var quiet = 0; quiet < 3;)
        {
            Assert.False(_functions!.HasExited, $"the Functions host exited:\n{_functions.Tail}");
            Assert.True(DateTime.UtcNow < deadline, $"the queue drains within 3 minutes; the Functions host printed:\n{_functions.Tail}");
            quiet = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0 ? quiet + 1 : 0;
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_runner is not null)
        {
            await _runner.DisposeAsync();
        }

        if (_functions is not null)
        {
            await _functions.DisposeAsync();
        }

        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }
}
