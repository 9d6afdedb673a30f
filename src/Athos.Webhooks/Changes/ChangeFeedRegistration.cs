using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Changes;

/// <summary>Registers the change feed's settings and its housekeeping.</summary>
internal static class ChangeFeedRegistration
{
    public static IServiceCollection AddAthosChangeFeed(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ChangeFeedOptions>().Bind(configuration).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChangeFeedOptions>, ChangeFeedOptionsValidator>();
        services.AddSingleton<CallChangeRetention>();
        return services;
    }
}
