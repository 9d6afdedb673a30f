using Athos.Webhooks.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Exports;

/// <summary>Registers the rebuild of <c>calls/current</c> and <c>scores</c> and its settings.</summary>
internal static class CurrentExportRegistration
{
    public static IServiceCollection AddAthosCurrentExport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<CurrentExportOptions, CurrentExportOptionsValidator>(configuration, static (settings, options) => settings.Bind(options));
        services.AddTransient<CurrentExport>();
        return services;
    }
}
