using Athos.Webhooks.Hosting;
using Athos.Webhooks.Settings;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Cli.Runner;

/// <summary>
/// The whole pipeline in one process, over the same composition root as the Functions app: Kestrel serving the Functions
/// app's HTTP routes (<c>POST /api/athos/webhook</c>, <c>GET /api/athos/health</c>, <c>POST /api/athos/backfill</c>,
/// <c>GET /api/athos/backfill/{jobId}</c>), the queue worker, and the reconciler, the trailing rescan and housekeeping on
/// their schedules.
/// </summary>
internal static class LocalRunner
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    /// <param name="urls">Where Kestrel listens (<c>--urls</c>, else <c>ASPNETCORE_URLS</c>, else <see cref="DefaultUrl"/>).</param>
    /// <param name="settings">Settings that win over the environment (the demo's simulator, tests).</param>
    /// <param name="services">Extra registrations (the benchmarks count storage requests).</param>
    public static WebApplication Build(string? urls, IReadOnlyDictionary<string, string?>? settings = null, Action<ILoggingBuilder>? logging = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(urls ?? Environment.GetEnvironmentVariable("ASPNETCORE_URLS") ?? DefaultUrl);
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Extensions.Http", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        logging?.Invoke(builder.Logging);

        builder.Services.AddAthosWebhooks(builder.Configuration);
        // The same telemetry (and log filters) as the Functions app: exported when APPLICATIONINSIGHTS_CONNECTION_STRING is set.
        builder.Services.AddAthosTelemetry(builder.Configuration);
        builder.Services.AddSettings<RunnerOptions, RunnerOptionsValidator>(builder.Configuration, static (settings, options) => settings.Bind(options));
        builder.Services.AddSettings<AdminKeyOptions, AdminKeyOptionsValidator>(builder.Configuration, static (settings, options) => settings.Bind(options));
        builder.Services.AddSingleton<RunnerKeys>();
        builder.Services.AddSingleton(provider => new QueueWorkerSettings(provider.GetRequiredService<IRunnerPlatform>(), provider.GetRequiredService<IOptions<RunnerOptions>>().Value.MessageLease));
        builder.Services.AddHostedService<StorageSetup>();
        builder.Services.AddSingleton<QueueWorker>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<QueueWorker>());
        // Registered as IHostedService one by one: AddHostedService adds an implementation type once, so it would keep
        // only the first of these schedulers.
        builder.Services.AddSingleton<IHostedService>(provider => Scheduled(provider, "reconcile", p => p.ReconcileSchedule, (jobs, _, ct) => jobs.ReconcileAsync(ct)));
        builder.Services.AddSingleton<IHostedService>(provider => Scheduled(provider, "rescan", p => p.RescanSchedule, (jobs, occurrence, ct) => jobs.StartRescanAsync(occurrence, ct)));
        builder.Services.AddSingleton<IHostedService>(provider => Scheduled(provider, "roster sync", p => p.RosterSchedule, (jobs, _, ct) => jobs.SyncRosterAsync(ct)));
        builder.Services.AddSingleton<IHostedService>(provider => Scheduled(provider, "housekeeping", p => p.HousekeepingSchedule, (jobs, _, ct) => jobs.HousekeepAsync(ct)));
        builder.Services.AddSingleton<IHostedService>(provider => Scheduled(provider, "export", p => p.ExportSchedule, (jobs, _, ct) => jobs.ExportAsync(ct)));
        // The Functions app parks poison messages through a queue trigger; the runner sweeps the queue instead.
        builder.Services.AddSingleton<IHostedService>(provider => Scheduled(provider, "poison sweep", p => p.PoisonSweepSchedule, (jobs, _, ct) => jobs.SweepPoisonAsync(ct)));
        services?.Invoke(builder.Services);

        var app = builder.Build();
        // Every HTTP route of the Functions app, protected as there: anonymous stays open, function level needs
        // ATHOS_FUNCTION_KEY (or the admin key), admin level ATHOS_ADMIN_KEY (tests/…/Hosting/HostParityTests.cs).
        app.MapAthosWebhook();
        app.MapAthosWebhook(AthosHttpEndpoints.KeyedWebhookPath).RequireKey(KeyLevel.Function, KeysOf(app));
        app.MapAthosHealth().RequireKey(KeyLevel.Function, KeysOf(app));
        app.MapAthosBackfill().RequireKey(KeyLevel.Admin, KeysOf(app));
        return app;
    }

    private static CronScheduler Scheduled(IServiceProvider provider, string name, Func<IRunnerPlatform, NCrontab.CrontabSchedule> schedule, Func<IScheduledJobs, DateTimeOffset, CancellationToken, Task> run) =>
        new(
            name,
            () => schedule(provider.GetRequiredService<IRunnerPlatform>()),
            async (next, cancellationToken) =>
            {
                // A fresh scope per occurrence, as the Functions host gives each invocation.
                await using var scope = provider.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
                await run(scope.ServiceProvider.GetRequiredService<IScheduledJobs>(), next, cancellationToken);
            },
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<CronScheduler>>());
    /// <summary>The runner's keys, which guard its function- and admin-level routes and which <c>serve</c> announces.</summary>
    public static RunnerKeys KeysOf(WebApplication app) => app.Services.GetRequiredService<RunnerKeys>();



    /// <summary>The webhook URL of a started runner.</summary>
    public static Uri WebhookUrl(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.TrimEnd('/') + AthosHttpEndpoints.WebhookPath);
    }
}
