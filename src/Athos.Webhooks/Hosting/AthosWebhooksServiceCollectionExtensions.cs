using System.Net;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Changes;
using Athos.Webhooks.Enrichment;
using Athos.Webhooks.Erasure;
using Athos.Webhooks.Health;
using Athos.Webhooks.Operations;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Webhooks;
using Athos.Webhooks.WorkItems;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Athos.Webhooks.Hosting;

/// <summary>The one composition root: every host (the Functions app, the local runner, the tests) calls this.</summary>
public static class AthosWebhooksServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Athos client, storage clients and the product's services, reading the flat app settings
    /// (<c>ATHOS_API_KEY</c>, <c>ATHOS_WHSEC</c>, <c>AzureWebJobsStorage</c>, …) from <paramref name="configuration"/>.
    /// Settings are validated when the host starts; a missing or malformed one stops it with a message naming it.
    /// </summary>
    /// <remarks>
    /// The services a host resolves are public with internal constructors, so that their collaborators stay internal;
    /// the container activates public constructors only, hence the factories.
    /// </remarks>
    public static IServiceCollection AddAthosWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        services.AddMetrics();
        services.TryAddSingleton<AthosMetrics>();

        services.AddSettings<AthosApiOptions, AthosApiOptionsValidator>(configuration, static (settings, options) => settings.Bind(options));
        services.AddSingleton<IValidateOptions<AthosApiOptions>, AthosTimeoutsValidator>();
        services.AddAthosClient();

        services.AddAthosStorage(configuration);
        services.AddSingleton<WorkQueue>();
        services.AddHostJsonQueueSettings(HostJson.BesideTheApp);
        services.AddSingleton<ParkedWork>();
        services.AddSingleton(static sp => new PoisonSweeper(sp.GetRequiredService<QueueServiceClient>(), sp.GetRequiredService<ParkedWork>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ParkedRedrive>();

        services.AddSettings<WebhookOptions, WebhookOptionsValidator>(configuration, static (settings, options) => settings.Bind(options));
        services.AddSingleton<DeliveryLedger>();
        services.AddSingleton<RefusalLog>();
        services.AddSingleton(static sp => new WebhookReceiver(
            sp.GetRequiredService<IOptions<WebhookOptions>>(), sp.GetRequiredService<RefusalLog>(), sp.GetRequiredService<DeliveryLedger>(), sp.GetRequiredService<WorkQueue>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WebhookReceiver>>(),
            sp.GetRequiredService<AthosMetrics>()));

        services.AddSettings<EnrichmentOptions, EnrichmentOptionsValidator>(configuration, static (settings, options) => settings.Bind(options));
        services.AddSingleton<CallArchive>();
        services.AddSingleton<RecordingArchive>();
        // Its own client, never the Athos one: the signed link needs no key, and the recording host must not see it. It
        // connects only where RecordingHostGuard allows, on every redirect hop, and never through a proxy.
        services.TryAddSingleton<HostAddresses>(static _ => Dns.GetHostAddressesAsync);
        services.AddSingleton<RecordingHostGuard>();
        services.AddHttpClient<RecordingDownloader>(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(static sp => new SocketsHttpHandler
            {
                UseProxy = false,
                MaxAutomaticRedirections = RecordingDownloader.MaxRedirects,
                ConnectCallback = sp.GetRequiredService<RecordingHostGuard>().ConnectAsync,
            })
            .RemoveAllLoggers();
        services.AddTransient<RecordingArchiver>();
        services.AddTransient<CallReprojector>();
        services.AddSingleton<CallRowWriter>();
        services.AddSingleton<CallReader>();
        services.AddSettings<ErasureOptions, ErasureOptionsValidator>(configuration, static (settings, options) => settings.Bind(options));
        services.AddSingleton<Tombstones>();
        services.AddSingleton<CallBlobEraser>();
        services.AddSingleton<PendingWorkEraser>();
        services.AddSingleton<CallEraser>();
        services.AddSingleton<CallIndex>();
        services.AddSingleton<CallConsistencyChecker>();
        services.AddAthosChangeFeed(configuration);
        // Only a repair that fetches a call from Athos needs the client, and so the Athos settings: verify --repair runs without them otherwise.
        services.AddTransient(static sp => new Lazy<AthosClient>(sp.GetRequiredService<AthosClient>));
        services.AddTransient<CallConsistencyRepairer>();
        // Transient: they hold the typed Athos client, whose handler the factory rotates.
        services.AddTransient<CallEnricher>();
        services.AddTransient<RecordingWork>();
        services.AddSingleton<CallGate>();
        services.AddTransient(static sp => new WorkItemProcessor(
            sp.GetRequiredService<CallEnricher>(), sp.GetRequiredService<RecordingWork>(), sp.GetRequiredService<Backfiller>(), sp.GetRequiredService<DeliveryLedger>(), sp.GetRequiredService<WorkQueue>(), sp.GetRequiredService<QueuedCalls>(),
            sp.GetRequiredService<ParkedWork>(), sp.GetRequiredService<QueueOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WorkItemProcessor>>(), sp.GetRequiredService<AthosMetrics>()));

        services.AddSettings<ReconcileOptions, ReconcileOptionsValidator>(configuration, static (settings, options) => settings.Bind(options));
        services.AddSingleton<LeaseLock>();
        services.AddSingleton<ReconcileStateStore>();
        services.AddSingleton<ContractObserver>();
        services.AddSingleton<QueuedCalls>();
        services.AddSingleton<MissingCallFinder>();
        services.AddSingleton<StoredWindow>();
        services.AddTransient<CallPager>();
        services.AddTransient(static sp => new Reconciler(
            sp.GetRequiredService<AthosClient>(), sp.GetRequiredService<CallPager>(), sp.GetRequiredService<MissingCallFinder>(), sp.GetRequiredService<StoredWindow>(), sp.GetRequiredService<ReconcileStateStore>(),
            sp.GetRequiredService<LeaseLock>(), sp.GetRequiredService<IOptions<ReconcileOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Reconciler>>(), sp.GetRequiredService<AthosMetrics>()));
        services.AddTransient(static sp => new Housekeeping(
            sp.GetRequiredService<LeaseLock>(), sp.GetRequiredService<ReconcileStateStore>(), sp.GetRequiredService<DeliveryLedger>(), sp.GetRequiredService<CallChangeRetention>(),
            sp.GetRequiredService<Tombstones>(), sp.GetRequiredService<IOptions<WebhookOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Housekeeping>>()));
        services.AddSingleton<RescanGate>();
        services.AddTransient(static sp => new Backfiller(
            sp.GetRequiredService<CallPager>(), sp.GetRequiredService<MissingCallFinder>(), sp.GetRequiredService<WorkQueue>(), sp.GetRequiredService<ReconcileStateStore>(),
            sp.GetRequiredService<RescanGate>(), sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<IOptions<ReconcileOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Backfiller>>()));

        services.AddSingleton(static sp => new PipelineHealth(
            sp.GetRequiredService<ReconcileStateStore>(), sp.GetRequiredService<ParkedWork>(), sp.GetRequiredService<QueueServiceClient>(), sp.GetRequiredService<IOptions<ReconcileOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<NewestRows>();
        services.AddTransient<CompletenessCheck>();

        // The operator's commands: a host resolves the one it runs, and so checks only the settings that command uses.
        services.AddTransient<IStatusHandler, StatusHandler>();
        services.AddTransient<IVerifyHandler, VerifyHandler>();
        services.AddTransient<IReprojectHandler, ReprojectHandler>();
        services.AddTransient<IForgetHandler, ForgetHandler>();
        services.AddTransient<IRedriveHandler, RedriveHandler>();
        services.AddTransient<IBackfillHandler, BackfillHandler>();
        services.AddTransient<ICallsHandler, CallsHandler>();
        services.AddTransient<IAthosCheckHandler, AthosCheckHandler>();
        return services;
    }
}
