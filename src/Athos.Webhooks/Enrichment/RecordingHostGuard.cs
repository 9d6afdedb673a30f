using System.Net;
using System.Net.Sockets;
using Athos.Webhooks.AthosApi;

namespace Athos.Webhooks.Enrichment;

/// <summary>Looks up a host's addresses (<see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>; a test may give its own).</summary>
internal delegate Task<IPAddress[]> HostAddresses(string host, CancellationToken cancellationToken);

/// <summary>
/// Where a recording download may go. Its link comes from Athos's data, so it could point anywhere: only https, and
/// never to an address inside the deployment's network or the platform's (loopback, private, link-local with the
/// instance metadata service, carrier-grade NAT, unique-local, site-local, unspecified, multicast, reserved, Azure's
/// 168.63.129.16), in IPv4 form or an IPv6 form that carries one (mapped and NAT64 are judged by the IPv4 address they
/// carry; compatible, translated, 6to4 and Teredo forms are refused outright). The address checked is the one connected to, after DNS, on every redirect hop, with no
/// proxy in between. When <c>ATHOS_BASE_URL</c> is itself a loopback address (the demo, the tests: the simulator serves
/// recordings from its own loopback listener), plain http and loopback are allowed too; the other ranges never are.
/// </summary>
internal sealed class RecordingHostGuard(IOptions<AthosApiOptions> athos, HostAddresses addresses)
{
    private static readonly (IPNetwork Network, string What)[] Refused =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "an unspecified address"),
        (IPNetwork.Parse("10.0.0.0/8"), "a private address"),
        (IPNetwork.Parse("100.64.0.0/10"), "a carrier-grade NAT address"),
        (IPNetwork.Parse("127.0.0.0/8"), "a loopback address"),
        (IPNetwork.Parse("169.254.0.0/16"), "a link-local address (the instance metadata service among them)"),
        (IPNetwork.Parse("168.63.129.16/32"), "Azure's platform address"),
        (IPNetwork.Parse("172.16.0.0/12"), "a private address"),
        (IPNetwork.Parse("192.168.0.0/16"), "a private address"),
        (IPNetwork.Parse("192.0.0.0/24"), "a reserved address"),
        (IPNetwork.Parse("192.0.2.0/24"), "a reserved address"),
        (IPNetwork.Parse("198.18.0.0/15"), "a reserved address"),
        (IPNetwork.Parse("198.51.100.0/24"), "a reserved address"),
        (IPNetwork.Parse("203.0.113.0/24"), "a reserved address"),
        (IPNetwork.Parse("224.0.0.0/3"), "a multicast or reserved address"),
        (IPNetwork.Parse("::/128"), "an unspecified address"),
        (IPNetwork.Parse("::1/128"), "a loopback address"),
        // Forms that carry an IPv4 address inside (compatible, translated, NAT64, 6to4, Teredo): any of them may lead
        // back into a private network, so none is fetched from.
        (IPNetwork.Parse("::/96"), "an IPv4-compatible address"),
        (IPNetwork.Parse("::ffff:0:0:0/96"), "an IPv4-translated address"),
        (IPNetwork.Parse("64:ff9b:1::/48"), "a local-use NAT64 address"),
        (IPNetwork.Parse("2002::/16"), "a 6to4 address"),
        (IPNetwork.Parse("2001::/32"), "a Teredo address"),
        (IPNetwork.Parse("2001:db8::/32"), "a reserved address"),
        (IPNetwork.Parse("100::/64"), "a reserved address"),
        (IPNetwork.Parse("fec0::/10"), "a site-local address"),
        (IPNetwork.Parse("fc00::/7"), "a unique-local address"),
        (IPNetwork.Parse("fe80::/10"), "a link-local address"),
        (IPNetwork.Parse("ff00::/8"), "a multicast address"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    /// <summary>Whether loopback and plain http are allowed: <c>ATHOS_BASE_URL</c> names this machine.</summary>
    public bool AllowsLoopback => athos.Value.BaseUrl.IsLoopback;

    /// <summary>Why a link may not be fetched at all (not an absolute URL of an allowed scheme), or <see langword="null"/> with the link.</summary>
    public string? RefuseLink(string? text, out Uri link)
    {
        link = Uri.TryCreate(text, UriKind.Absolute, out var parsed) ? parsed : new Uri("about:blank");
        return link.Scheme == Uri.UriSchemeHttps || (link.Scheme == Uri.UriSchemeHttp && AllowsLoopback)
            ? null
            : $"Athos gave a recording link that is not an absolute https URL (plain http only while {AthosApiOptions.BaseUrlSetting} is a loopback address); it was not fetched.";
    }

    /// <summary>Why <paramref name="address"/> may not be connected to, or <see langword="null"/>.</summary>
    public string? Refuse(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        // Mapped (::ffff:a.b.c.d) and well-known NAT64 (64:ff9b::a.b.c.d, what DNS64 gives an IPv4-only host on an
        // IPv6-only network) reach the IPv4 address they carry: that address is what is judged.
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : Nat64.Contains(address) ? new IPAddress(address.GetAddressBytes()[12..]) : address;
        if (AllowsLoopback && IPAddress.IsLoopback(plain))
        {
            return null;
        }

        foreach (var (network, what) in Refused)
        {
            if (network.Contains(plain))
            {
                return what;
            }
        }

        return null;
    }

    /// <summary>
    /// The download handler's connect step: resolves the host and connects only when none of its addresses is refused
    /// (a name that resolves to a public and a private address is refused, not raced).
    /// </summary>
    /// <exception cref="RecordingHostRefusedException">The host is, or resolves to, a refused address.</exception>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var resolved = IPAddress.TryParse(host, out var literal) ? [literal] : await addresses(host, cancellationToken);
        foreach (var address in resolved)
        {
            if (Refuse(address) is { } what)
            {
                throw new RecordingHostRefusedException($"The recording host {host} is {what} ({address}); it is never connected to.");
            }
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(resolved, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A recording link leads to an address that is never connected to; the reason names host and address.</summary>
internal sealed class RecordingHostRefusedException : Exception
{
    public RecordingHostRefusedException()
    {
    }

    public RecordingHostRefusedException(string message)
        : base(message)
    {
    }

    public RecordingHostRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
