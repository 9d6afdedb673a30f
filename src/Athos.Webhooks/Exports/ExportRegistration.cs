using Athos.Webhooks.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Exports;

/// <summary>Registers the analytics export: its settings, the changes dataset, the rebuilt datasets, the run that orchestrates them.</summary>
internal static class ExportRegistration
{
    public static IServiceCollection AddAthosExports(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<ExportOptions, ExportOptionsValidator>(configuration, static (settings, options) => settings.Bind(options));
        services.AddSingleton<ExportContainer>();
        services.AddSingleton<ChangesExportState>();
        services.AddTransient<ChangesExport>();
        services.AddTransient<ChangesCompaction>();
        services.AddTransient<CurrentExport>();
        services.AddTransient<ExportRun>();
        services.AddTransient<LocalExportCopy>();
        services.AddSingleton<ExportLag>();
        return services;
    }
}
