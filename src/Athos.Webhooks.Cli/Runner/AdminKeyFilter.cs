using System.Net;
using System.Security.Cryptography;
using System.Text;
using Athos.Webhooks.Hosting;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Cli.Runner;

/// <summary>
/// The runner's stand-in for Azure's function and admin authorization levels: the key from <c>ATHOS_ADMIN_KEY</c> in
/// the <c>x-functions-key</c> header or the <c>code</c> query parameter, as in Azure, compared in constant time; with no
/// key set, loopback callers only.
/// </summary>
internal sealed class AdminKeyFilter(IOptions<AdminKeyOptions> options) : IEndpointFilter
{
    public const string HeaderName = "x-functions-key";
    public const string QueryName = "code";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        return Refusal(context.HttpContext) ?? await next(context);
    }

    private JsonHttpResult? Refusal(HttpContext http)
    {
        if (options.Value.Key is not { } expected)
        {
            // The local address too: forwarded-headers middleware (ASPNETCORE_FORWARDEDHEADERS_ENABLED) rewrites the remote
            // address from X-Forwarded-For, which any caller can send, but not the address the connection arrived on.
            return IsLoopback(http.Connection.RemoteIpAddress) && IsLoopback(http.Connection.LocalIpAddress)
                ? null
                : Refuse(403, "loopback_only", $"This route answers loopback callers only while {AdminKeyOptions.Setting} is not set.");
        }

        var given = http.Request.Headers[HeaderName].ToString() is { Length: > 0 } header ? header : http.Request.Query[QueryName].ToString();
        if (given.Length == 0)
        {
            return Refuse(401, "admin_key_required", $"This route needs the runner's key ({AdminKeyOptions.Setting}) in the {HeaderName} header or the {QueryName} query parameter.");
        }

        return Matches(given, expected) ? null : Refuse(401, "admin_key_invalid", $"The key given is not the runner's {AdminKeyOptions.Setting}.");
    }

    // Hashed first, so that neither the content nor the length of the key shows in the time taken.
    private static bool Matches(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static JsonHttpResult Refuse(int status, string code, string message) => JsonHttpResult.Error(status, code, message);
}

/// <summary>Marks an endpoint that <see cref="AdminKeyFilter"/> guards, so that a test can read the protection from the route table.</summary>
internal sealed class AdminKeyRequired
{
    public static AdminKeyRequired Instance { get; } = new();

    private AdminKeyRequired()
    {
    }
}

internal static class AdminKeyEndpoints
{
    /// <summary>Guards the endpoints as Azure guards a function- or admin-level trigger.</summary>
    public static TBuilder RequireAdminKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, AdminKeyFilter>().WithMetadata(AdminKeyRequired.Instance);
}
