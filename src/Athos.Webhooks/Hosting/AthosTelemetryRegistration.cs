using Athos.Webhooks.Telemetry;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Logs;

namespace Athos.Webhooks.Hosting;

// Telemetry for the long-running hosts (the Functions app and the local runner), beside AddAthosWebhooks: OpenTelemetry
// logs and metrics, exported to Azure Monitor when APPLICATIONINSIGHTS_CONNECTION_STRING is set. One place, so both
// hosts export the same events and the same instruments under the same names.
public static partial class AthosWebhooksServiceCollectionExtensions
{
    /// <summary>Where telemetry goes (Application Insights' connection string); unset means nothing is exported.</summary>
    internal const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary><c>Authorization=AAD[;ClientId=…]</c>: send with a managed identity (the workspace takes no keys).</summary>
    internal const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>The log categories exported at Information: the product's own. Everything else from Warning.</summary>
    internal const string AppCategory = "Athos.Webhooks";

    /// <summary>The Azure SDK's log categories: kept from Warning in every provider.</summary>
    internal const string AzureSdkCategory = "Azure";

    /// <summary>
    /// Adds OpenTelemetry logging (the app's own categories at Information, others at Warning; the Azure SDK's from
    /// Warning in every provider, so that no host sets it again) and the <c>Athos.Webhooks</c> meter, and the Azure Monitor exporter for all signals when
    /// <see cref="ConnectionStringSetting"/> is set: every log record and trace (no sampling: the alerts count events,
    /// and freshness percentiles are computed over the per-item events). Returns the builder for host specifics.
    /// </summary>
    public static IOpenTelemetryBuilder AddAthosTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddLogging(logging =>
        {
            // Rules for this provider only, so that the console (or the Functions host's own) logging keeps its rules.
            logging.AddFilter<OpenTelemetryLoggerProvider>(null, LogLevel.Warning);
            logging.AddFilter<OpenTelemetryLoggerProvider>(AppCategory, LogLevel.Information);

            // For every provider, in both hosts: the Azure SDK logs each storage request at Information.
            logging.AddFilter(AzureSdkCategory, LogLevel.Warning);
        });

        var builder = services.AddOpenTelemetry()
            .WithLogging(configureBuilder: null, configureOptions: options =>
            {
                options.IncludeFormattedMessage = true;
                options.IncludeScopes = true;
            })
            .WithMetrics(metrics => metrics.AddMeter(AthosMetrics.MeterName));

        // Whether to export is decided here, while composing; how (the credential) is a setting checked at start-up.
        if (configuration[ConnectionStringSetting] is { Length: > 0 } connectionString)
        {
            services.AddSettings<TelemetryOptions, TelemetryOptionsValidator>(configuration, static (settings, options) => settings.Bind(options));
            builder.UseAzureMonitorExporter(options =>
            {
                options.ConnectionString = connectionString;
                // The exporter's defaults sample traces at 5 per second and drop the logs of unsampled traces.
                options.SamplingRatio = 1.0f;
                options.TracesPerSecond = null;
                options.EnableTraceBasedLogsSampler = false;
            });
            services.AddOptions<AzureMonitorExporterOptions>().Configure<IOptions<TelemetryOptions>>((options, telemetry) => options.Credential = telemetry.Value.Credential());
        }

        return builder;
    }
}
