using Athos.Webhooks.Settings;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;

namespace Athos.Webhooks.Hosting;

/// <summary>
/// How telemetry is sent to Application Insights, registered by <see cref="AthosWebhooksServiceCollectionExtensions"/>
/// when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set, and checked at start-up like every other setting.
/// </summary>
internal sealed class TelemetryOptions
{
    /// <summary><c>Authorization=AAD[;ClientId=…]</c>, or unset to send with the connection string's key.</summary>
    [AadAuthenticationString]
    [ConfigurationKeyName(AthosWebhooksServiceCollectionExtensions.AuthenticationStringSetting)]
    public string? AuthenticationString { get; set; }

    /// <summary>
    /// The managed identity <see cref="AuthenticationString"/> names: with a <c>ClientId</c> a user-assigned one (as
    /// infra/ sets it), without the system-assigned one; unset, none (a workspace with local auth on).
    /// </summary>
    public TokenCredential? Credential() =>
        AadAuthenticationStringAttribute.TryParse(AuthenticationString, out var clientId) switch
        {
            false => null,
            true when clientId is not null => new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId)),
            true => new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned),
        };
}
