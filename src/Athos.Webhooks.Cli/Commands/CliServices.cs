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

    /// <summary>The one clock of the commands (the core's services get theirs from <c>AddAthosWebhooks</c>).</summary>
    public static TimeProvider Time => TimeProvider.System;

    /// <summary>
    /// Runs a command body with its handler, resolved here (and so validating only the settings that handler uses),
    /// turning configuration and storage failures into clear lines (<see cref="CliFailures"/>).
    /// </summary>
    /// <param name="configuration">The settings.</param>
    /// <param name="error">Where a failure is reported.</param>
    /// <param name="body">The command's work.</param>
    /// <param name="time">The clock the services use, when the command was given one; the core's otherwise.</param>
    public static Task<int> RunAsync<THandler>(IConfiguration configuration, TextWriter error, Func<THandler, Task<int>> body, TimeProvider? time = null)
        where THandler : notnull =>
        RunAsync(Build(configuration, time), error, body, CliFailures.IsReportable);

    /// <summary>As <see cref="RunAsync{THandler}(IConfiguration, TextWriter, Func{THandler, Task{int}}, TimeProvider?)"/> with two handlers (the calls commands: the reader and the rep names).</summary>
    public static Task<int> RunAsync<THandler, TOther>(IConfiguration configuration, TextWriter error, Func<THandler, TOther, Task<int>> body)
        where THandler : notnull
        where TOther : notnull
    {
        ArgumentNullException.ThrowIfNull(body);
        var services = Build(configuration);
        return RunAsync<THandler>(services, error, handler => body(handler, services.GetRequiredService<TOther>()), CliFailures.IsReportable);
    }

    /// <summary>
    /// As <see cref="RunAsync{THandler}(IConfiguration, TextWriter, Func{THandler, Task{int}}, TimeProvider?)"/> with the
    /// quick services (<see cref="BuildQuick"/>), for a command that reports storage and Athos failures in its own
    /// report (status): only a settings failure is turned into a line.
    /// </summary>
    public static Task<int> RunQuickAsync<THandler>(IConfiguration configuration, TextWriter error, Func<THandler, Task<int>> body)
        where THandler : notnull =>
        RunAsync(BuildQuick(configuration), error, body, ex => CliFailures.SettingsFailures(ex) is not null);

    private static async Task<int> RunAsync<THandler>(ServiceProvider services, TextWriter error, Func<THandler, Task<int>> body, Func<Exception, bool> reportable)
        where THandler : notnull
    {
        ArgumentNullException.ThrowIfNull(body);
        await using (services)
        {
            try
            {
                return await body(services.GetRequiredService<THandler>());
            }
            catch (Exception ex) when (reportable(ex))
            {
                return await CliFailures.ReportAsync(ex, error);
            }
        }
    }

    public static ServiceProvider Build(IConfiguration configuration, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            // Before AddAthosWebhooks, whose clock is only the default.
            services.AddSingleton(time);
        }

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
