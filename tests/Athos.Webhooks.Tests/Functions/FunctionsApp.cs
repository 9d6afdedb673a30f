using Athos.Webhooks.Functions;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Athos.Webhooks.Tests.Functions;

/// <summary>
/// The Functions app as <c>Program.cs</c> composes it (<see cref="FunctionsAppComposition.Configure"/>), built but not
/// run (the Functions host cannot run here): its function classes are activated from its container, as the worker
/// activates them per invocation, and called directly.
/// </summary>
public sealed class FunctionsApp : IDisposable
{
    private readonly IHost _host;

    private FunctionsApp(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    /// <summary>
    /// Composes the app with <paramref name="settings"/> as its app settings; <paramref name="after"/> adds to it (an
    /// exporter). Of what starting the host does, only the telemetry part runs: OpenTelemetry's and the Azure Monitor
    /// exporter's hosted services (the latter registers the log exporter); the worker's own would dial the Functions host.
    /// </summary>
    public static async Task<FunctionsApp> BuildAsync(IDictionary<string, string?> settings, Action<IServiceCollection>? after = null)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(settings.Where(s => s.Value is not null));
        FunctionsAppComposition.Configure(builder);
        after?.Invoke(builder.Services);
        var telemetry = builder.Services.Where(d => d.ServiceType == typeof(IHostedService) && IsTelemetry(d)).ToList();
        var host = builder.Build();
        foreach (var descriptor in telemetry)
        {
            var service = descriptor.ImplementationFactory is { } factory
                ? (IHostedService)factory(host.Services)
                : (IHostedService)ActivatorUtilities.CreateInstance(host.Services, descriptor.ImplementationType!);
            await service.StartAsync(CancellationToken.None);
        }

        return new FunctionsApp(host);
    }

    private static bool IsTelemetry(ServiceDescriptor descriptor)
    {
        var type = descriptor.ImplementationType ?? descriptor.ImplementationFactory?.Method.DeclaringType ?? descriptor.ImplementationInstance?.GetType();
        var assembly = type?.Assembly.GetName().Name ?? string.Empty;
        return assembly.StartsWith("OpenTelemetry", StringComparison.Ordinal) || assembly.StartsWith("Azure.Monitor", StringComparison.Ordinal);
    }

    /// <summary>A function class, constructed from the app's container as the worker does for an invocation.</summary>
    public T Function<T>()
        where T : class => ActivatorUtilities.CreateInstance<T>(_host.Services);

    /// <summary>The next message on <paramref name="queue"/>, as the queue trigger binds it (decoded from base64).</summary>
    public static async Task<QueueMessage?> ReceiveAsync(string connectionString, string queue = StorageNames.CallsQueue)
    {
        var client = new QueueClient(connectionString, queue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var received = (await client.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(1))).Value;
        if (received.Length == 0)
        {
            return null;
        }

        await client.DeleteMessageAsync(received[0].MessageId, received[0].PopReceipt);
        return QueuesModelFactory.QueueMessage(received[0].MessageId, received[0].PopReceipt, received[0].Body.ToString(), received[0].DequeueCount, received[0].NextVisibleOn, received[0].ExpiresOn);
    }

    public void Dispose() => _host.Dispose();
}
