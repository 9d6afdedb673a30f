using System.Security.Cryptography;
using System.Text;
using Athos.Webhooks.Hosting;

namespace Athos.Webhooks.Cli.Runner;

/// <summary>The two key levels of Azure Functions that the runner's routes use.</summary>
internal enum KeyLevel
{
    /// <summary>The function key or the admin key (Azure: a function key, or the master key).</summary>
    Function,

    /// <summary>The admin key only (Azure: the master key).</summary>
    Admin,
}

/// <summary>
/// The runner's stand-in for Azure's function and admin authorization levels: a key of <see cref="RunnerKeys"/> in the
/// <c>x-functions-key</c> header or the <c>code</c> query parameter, as in Azure, compared in constant time. Every caller
/// needs it, loopback included.
/// </summary>
internal sealed class AdminKeyFilter(KeyLevel level, RunnerKeys keys) : IEndpointFilter
{
    public const string HeaderName = "x-functions-key";
    public const string QueryName = "code";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        return Refusal(context.HttpContext) ?? await next(context);
    }

    private IResult? Refusal(HttpContext http)
    {
        var wanted = level == KeyLevel.Admin ? AdminKeyOptions.Setting : $"{AdminKeyOptions.FunctionSetting} or {AdminKeyOptions.Setting}";
        var given = http.Request.Headers[HeaderName].ToString() is { Length: > 0 } header ? header : http.Request.Query[QueryName].ToString();
        if (given.Length == 0)
        {
            return AthosHttpEndpoints.Error(401, "admin_key_required", $"This route needs the runner's key ({wanted}) in the {HeaderName} header or the {QueryName} query parameter.");
        }

        // Both compared, whatever the level, so that the time taken does not tell which key was close.
        var isAdmin = Matches(given, keys.Admin);
        var isFunction = Matches(given, keys.Function);
        return isAdmin || (isFunction && level == KeyLevel.Function)
            ? null
            : AthosHttpEndpoints.Error(401, "admin_key_invalid", isFunction ? $"The function key does not open this route: it needs {AdminKeyOptions.Setting}." : $"The key given is not the runner's {wanted}.");
    }

    // Hashed first, so that neither the content nor the length of the key shows in the time taken.
    private static bool Matches(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}

/// <summary>Marks an endpoint that <see cref="AdminKeyFilter"/> guards, so that a test can read the protection from the route table.</summary>
internal sealed class AdminKeyRequired(KeyLevel level)
{
    public KeyLevel Level { get; } = level;
}

internal static class AdminKeyEndpoints
{
    /// <summary>Guards the endpoints as Azure guards a function- or admin-level trigger.</summary>
    public static TBuilder RequireKey<TBuilder>(this TBuilder builder, KeyLevel level, RunnerKeys keys)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new AdminKeyFilter(level, keys)).WithMetadata(new AdminKeyRequired(level));
}
