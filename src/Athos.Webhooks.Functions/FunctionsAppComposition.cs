using Athos.Webhooks.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;

namespace Athos.Webhooks.Functions;

/// <summary>
/// Everything <c>Program.cs</c> sets up, in one method that tests call too, so that what they prove (an event from the
/// core reaches the exporter, no secret does) holds for the app as deployed, not for a pipeline of their own.
/// </summary>
public static class FunctionsAppComposition
{
    public static FunctionsApplicationBuilder Configure(FunctionsApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConfigureFunctionsWebApplication();
        builder.Services.AddAthosWebhooks(builder.Configuration);

        // OpenTelemetry from the worker itself (host.json "telemetryMode": "OpenTelemetry" does the same for the host):
        // logs and the Athos.Webhooks meter to Azure Monitor, and the worker tells the host not to forward its logs too.
        builder.Services.AddAthosTelemetry(builder.Configuration).UseFunctionsWorkerDefaults();
        return builder;
    }
}
