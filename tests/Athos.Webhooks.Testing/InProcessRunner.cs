using Athos.Webhooks.Cli.Runner;
using Azure.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Logging;

namespace Athos.Webhooks.Testing;

/// <summary>The local runner (<c>athos-webhooks serve</c>) built and started in this process, on a free loopback port.</summary>
public static class InProcessRunner
{
    /// <summary>
    /// Starts a runner with <paramref name="settings"/>; its storage requests go through <paramref name="counter"/>
    /// when one is given. Logs go nowhere unless <paramref name="logging"/> says otherwise.
    /// </summary>
    public static async Task<WebApplication> StartAsync(
        IReadOnlyDictionary<string, string?> settings,
        StorageRequestCounter? counter = null,
        Action<ILoggingBuilder>? logging = null,
        CancellationToken cancellationToken = default)
    {
        var runner = LocalRunner.Build(
            "http://127.0.0.1:0",
            settings,
            logging ?? (builder => builder.ClearProviders()),
            counter is null ? null : services => services.AddAzureClients(azure => azure.ConfigureDefaults(o => o.AddPolicy(counter, HttpPipelinePosition.PerCall))));
        try
        {
            await runner.StartAsync(cancellationToken);
            return runner;
        }
        catch
        {
            await runner.DisposeAsync();
            throw;
        }
    }
}
