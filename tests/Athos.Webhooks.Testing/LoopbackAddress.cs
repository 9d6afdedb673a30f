using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Athos.Webhooks.Testing;

/// <summary>Where a started Kestrel server listens (it was given port 0 and picked one).</summary>
public static class LoopbackAddress
{
    public static Uri Of(IServer server, string path)
    {
        ArgumentNullException.ThrowIfNull(server);
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server has not started.");
        return new Uri(address.TrimEnd('/') + path);
    }
}
