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

    /// <summary>
    /// Services for a command that must answer quickly (doctor, status): one retry and a short budget for Athos, unless
    /// the settings give a budget of their own, which is then kept whole so that these commands accept exactly what
    /// start-up accepts.
    /// </summary>
    public static ServiceProvider BuildQuick(IConfiguration configuration)
    {
        string[] budget = [IAthosSettings.AthosMaxRetries, IAthosSettings.AthosAttemptTimeout, IAthosSettings.AthosTotalTimeout];
        if (budget.Any(setting => configuration[setting] is not null))
        {
            return Build(configuration);
        }

        return Build(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [IAthosSettings.AthosMaxRetries] = "1",
                [IAthosSettings.AthosAttemptTimeout] = "00:00:10",
                [IAthosSettings.AthosTotalTimeout] = "00:00:20",
            })
            .AddConfiguration(configuration)
            .Build());
    }
}
