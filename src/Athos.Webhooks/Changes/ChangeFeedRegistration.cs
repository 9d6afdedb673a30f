using Athos.Webhooks.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Changes;

/// <summary>Registers the change feed's settings and its housekeeping.</summary>
internal static class ChangeFeedRegistration
{
    public static IServiceCollection AddAthosChangeFeed(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<ChangeFeedOptions, ChangeFeedOptionsValidator>(configuration, static (settings, options) => settings.Bind(options));
        services.AddSingleton<ChangeLog>();
        services.AddSingleton<CallChangeRetention>();
        return services;
    }
}
