using Athos.Webhooks.Hosting;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>The webhook endpoint over real HTTP on loopback (Kestrel), composed by <c>AddAthosWebhooks</c>.</summary>
public sealed class ReceiverHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ReceiverHost(WebApplication app) => _app = app;

    public Uri WebhookUrl { get; private set; } = null!;

    public IServiceProvider Services => _app.Services;

    public static async Task<ReceiverHost> StartAsync(IDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings.Where(s => s.Value is not null));
        builder.Services.AddAthosWebhooks(builder.Configuration);
        var app = builder.Build();
        app.MapAthosWebhook();
        await app.Services.GetRequiredService<StorageInitializer>().EnsureCreatedAsync();
        await app.StartAsync();
        return new ReceiverHost(app) { WebhookUrl = LoopbackAddress.Of(app.Services.GetRequiredService<IServer>(), WebhookHttpEndpoint.Path) };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
