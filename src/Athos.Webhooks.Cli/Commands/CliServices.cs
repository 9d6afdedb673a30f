using Athos.Webhooks.Hosting;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>
/// The composition root for the one-shot commands: the same flat settings as the Functions app (environment
/// variables), the same <c>AddAthosWebhooks</c>. Settings are validated when a service that needs them is used, so
/// reading tables does not require an Athos API key.
/// </summary>
internal static class CliServices
{
    public static IConfiguration Configuration(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder().AddEnvironmentVariables();
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        return builder.Build();
    }

    public static ServiceProvider Build(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddAthosWebhooks(configuration);
        return services.BuildServiceProvider();
    }
}
