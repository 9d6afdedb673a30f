using Athos.Simulator;
using Athos.Webhooks.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Testing;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>
/// The product's composition root in a generic host, configured like a deployment would be (flat app settings),
/// pointed at a simulator and an Azurite. Logs are captured for assertions.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly IHost _host;

    private TestApp(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>
    /// Starts an app against <paramref name="simulator"/> and <paramref name="azurite"/>, with some settings changed
    /// (a <see langword="null"/> value removes one).
    /// </summary>
    public static Task<TestApp> StartAsync(AthosSimulator? simulator, AzuriteInstance? azurite, IEnumerable<(string Name, string? Value)> overrides, Action<IServiceCollection>? configure = null)
    {
        var settings = StackSettings.For(simulator, azurite);
        foreach (var (name, value) in overrides)
        {
            settings[name] = value;
        }

        return StartAsync(settings, configure);
    }

    /// <summary>Builds and starts the host: settings are validated here, as in a deployment.</summary>
    public static async Task<TestApp> StartAsync(IDictionary<string, string?> settings, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.Where(s => s.Value is not null));
        builder.Services.AddAthosWebhooks(builder.Configuration);
        builder.Services.AddFakeLogging();
        configure?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new TestApp(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
