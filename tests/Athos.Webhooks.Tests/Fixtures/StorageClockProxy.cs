using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>
/// Azurite's table endpoint behind a proxy whose answers carry the <c>Date</c> of a clock the test chooses, and are
/// otherwise Azurite's: the storage service's clock in a test whose clocks are all fake, or a service clock set apart
/// from a reader's real one (which the real <c>athos-webhooks</c> process then meets). No seam in the product.
/// </summary>
public sealed class StorageClockProxy : IAsyncDisposable
{
    // Hop-by-hop headers, and those the proxy sets itself.
    private static readonly HashSet<string> NotCopied = new(StringComparer.OrdinalIgnoreCase) { "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Date", "Server" };

    private readonly WebApplication _app;
    private readonly HttpClient _azurite;
    private readonly AzuriteInstance _storage;
    private readonly Uri _address;

    private StorageClockProxy(WebApplication app, HttpClient azurite, AzuriteInstance storage, Uri address) =>
        (_app, _azurite, _storage, _address) = (app, azurite, storage, address);

    /// <summary>Azurite's connection string with the table endpoint at this proxy (blobs and queues go to Azurite).</summary>
    public string ConnectionString => _storage.ConnectionString.Replace(
        $"TableEndpoint=http://127.0.0.1:{_storage.TablePort}/", $"TableEndpoint={_address}", StringComparison.Ordinal);

    /// <summary>Starts a proxy to <paramref name="storage"/>'s tables whose responses are dated by <paramref name="clock"/>.</summary>
    public static async Task<StorageClockProxy> StartAsync(AzuriteInstance storage, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var azurite = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{storage.TablePort}") };
        var (app, address) = await LoopbackServer.StartAsync(app => app.Run(context => ForwardAsync(context, azurite, clock)));
        return new StorageClockProxy(app, azurite, storage, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _azurite.Dispose();
    }

    private static async Task ForwardAsync(HttpContext context, HttpClient azurite, TimeProvider clock)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + context.Request.QueryString);
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(context.Request.Body);
        }

        foreach (var (name, values) in context.Request.Headers)
        {
            if (!NotCopied.Contains(name) && !request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        using var response = await azurite.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!NotCopied.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        context.Response.Headers.Date = clock.GetUtcNow().ToString("r", CultureInfo.InvariantCulture);
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
