using Athos.Webhooks.Hosting;
using Athos.Webhooks.Settings;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.UnitTests;

/// <summary>
/// <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c>: read as the exporter's managed identity, and, when telemetry is
/// exported, checked at start-up like every setting (one failure naming it).
/// </summary>
public sealed class TelemetrySettingsTests
{
    private const string ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/";

    [Theory]
    [InlineData("Authorization=AAD", true, null)]
    [InlineData("Authorization=AAD;ClientId=3f1c2d", true, "3f1c2d")]
    [InlineData(" authorization = aad ; clientid = 3f1c2d ", true, "3f1c2d")]
    [InlineData("Authorization=AAD;ClientId=", true, null)]
    [InlineData("Authorization=Key", false, null)]
    [InlineData("ClientId=3f1c2d", false, null)]
    [InlineData("AAD", false, null)]
    [InlineData(" ", false, null)]
    [InlineData(null, false, null)]
    public void The_authentication_string_names_a_managed_identity_or_none(string? text, bool identity, string? clientId)
    {
        var asksForIdentity = AadAuthenticationStringAttribute.TryParse(text, out var id);

        Assert.Equal(new { Identity = identity, ClientId = clientId }, new { Identity = asksForIdentity, ClientId = id });
    }

    [Fact]
    public void Exporting_a_malformed_authentication_string_is_one_failure_naming_the_setting()
    {
        using var services = Compose(("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "Authorization=Key"));

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TelemetryOptions>>().Value);

        Assert.Equal("APPLICATIONINSIGHTS_AUTHENTICATION_STRING must be 'Authorization=AAD' or 'Authorization=AAD;ClientId=<client id>'.", Assert.Single(error.Failures));
    }

    [Fact]
    public void Exporting_with_AAD_gives_the_exporter_a_managed_identity()
    {
        using var services = Compose(("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "Authorization=AAD;ClientId=3f1c2d"));

        var exporter = services.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().CurrentValue;

        Assert.IsType<ManagedIdentityCredential>(exporter.Credential);
        Assert.Equal(ConnectionString, exporter.ConnectionString);
    }

    [Fact]
    public void Not_exporting_the_authentication_string_is_not_read()
    {
        using var services = Compose(("APPLICATIONINSIGHTS_CONNECTION_STRING", null), ("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "Authorization=Key"));

        Assert.Empty(services.GetServices<IValidateOptions<TelemetryOptions>>());
    }

    private static ServiceProvider Compose(params (string Setting, string? Value)[] settings)
    {
        var values = new Dictionary<string, string?> { ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = ConnectionString };
        foreach (var (setting, value) in settings)
        {
            values[setting] = value;
        }

        var services = new ServiceCollection();
        services.AddAthosTelemetry(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        return services.BuildServiceProvider();
    }
}
