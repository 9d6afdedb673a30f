using System.Net;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Changes;
using Athos.Webhooks.Enrichment;
using Athos.Webhooks.Erasure;
using Athos.Webhooks.Exports;
using Athos.Webhooks.Health;
using Athos.Webhooks.Operations;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Roster;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Webhooks;
using Athos.Webhooks.WorkItems;
using Athos.Webhooks.Writing;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Athos.Webhooks.Hosting;

/// <summary>
/// The one composition root, which every host (the Functions app, the local runner, the tests) calls, and beside it the
/// telemetry of the long-running hosts and the one way a settings class is registered.
/// </summary>
public static partial class AthosWebhooksServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Athos client, storage clients and the product's services, reading the flat app settings
    /// (<c>ATHOS_API_KEY</c>, <c>ATHOS_WHSEC</c>, <c>AzureWebJobsStorage</c>, …) from <paramref name="configuration"/>.
    /// Settings are validated when the host starts; a missing or malformed one stops it with a message naming it.
    /// </summary>
    /// <remarks>
    /// A host resolves only the public interfaces registered last (<see cref="IAthosHttpHandlers"/>,
    /// <see cref="IQueueMessageProcessor"/>, <see cref="IScheduledJobs"/>, <see cref="IRunnerPlatform"/>,
    /// <see cref="IAthosSettings"/>); everything behind them is internal, activated by the container through its public
    /// constructor, so that a constructor changes in one place.
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
        services.AddSingleton<PoisonSweeper>();
        services.AddSingleton<ParkedRedrive>();

        services.AddSettings<WebhookOptions, WebhookOptionsValidator>(configuration, static (settings, options) => settings.Bind(options));
        services.AddSingleton<DeliveryLedger>();
        services.AddSingleton<DeliveryRetention>();
        services.AddSingleton<RefusalLog>();
        services.AddSingleton<WebhookReceiver>();

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
        // The feed as a consumer reads it (calls changes), with the deployment's retention.
        services.AddTransient(static sp => new CallChangeFeed(sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<ChangeFeedOptions>>().Value.Retention));
        // Only a repair that fetches a call from Athos needs the client, and so the Athos settings: a repair runs without them otherwise.
        services.AddTransient(static sp => new Lazy<AthosClient>(sp.GetRequiredService<AthosClient>));
        services.AddTransient<CallConsistencyRepairer>();
        // Transient: they hold the typed Athos client, whose handler the factory rotates.
        services.AddTransient<CallEnricher>();
        services.AddTransient<RecordingWork>();
        services.AddSingleton<CallGate>();
        services.AddTransient<WorkItemProcessor>();

        services.AddSettings<ReconcileOptions, ReconcileOptionsValidator>(configuration, static (settings, options) => settings.Bind(options));
        services.AddSingleton<LeaseLock>();
        services.AddSingleton<ReconcileStateStore>();
        services.AddSingleton<ReconcileRunLog>();
        services.AddSingleton<ContractObserver>();
        services.AddSingleton<QueuedCalls>();
        services.AddSingleton<MissingCallFinder>();
        services.AddSingleton<StoredWindow>();
        services.AddTransient<CallPager>();
        services.AddTransient<Reconciler>();
        services.AddTransient<Housekeeping>();
        services.AddSingleton<RescanGate>();
        services.AddTransient<Backfiller>();

        services.AddSettings<RosterOptions, RosterOptionsValidator>(configuration, static (settings, options) => settings.Bind(options));
        services.AddSingleton<KnownAgents>();
        services.AddSingleton<RosterState>();
        services.AddSingleton<RosterReader>();
        services.AddSingleton<AgencyNameImport>();
        services.AddSingleton<AgentEraser>();
        services.AddTransient<AgentLookup>();
        services.AddTransient<RosterSync>();
        services.AddAthosExports(configuration);

        services.AddSingleton<PipelineHealth>();
        services.AddSingleton<NewestRows>();
        services.AddTransient<CompletenessCheck>();

        // The operator's commands: a host resolves the one it runs, and so checks only the settings that command uses.
        services.AddTransient<IStatusHandler, StatusHandler>();
        services.AddTransient<IVerifyHandler, VerifyHandler>();
        services.AddTransient<IReprojectHandler, ReprojectHandler>();
        services.AddTransient<IForgetHandler, ForgetHandler>();
        services.AddTransient<IRedriveHandler, RedriveHandler>();
        services.AddTransient<IBackfillHandler, BackfillHandler>();
        services.AddTransient<IAthosCheckHandler, AthosCheckHandler>();
        services.AddTransient<IRosterHandler, RosterHandler>();
        services.AddTransient<IExportHandler, ExportHandler>();

        // What the hosts resolve, transient as the services behind them. Those that hold the typed Athos client are made
        // on use, so that an entry that does not call Athos neither builds the client nor reads its settings.
        services.AddTransient<Func<Backfiller>>(static sp => sp.GetRequiredService<Backfiller>);
        services.AddTransient<Func<Reconciler>>(static sp => sp.GetRequiredService<Reconciler>);
        services.AddTransient<Func<RosterSync>>(static sp => sp.GetRequiredService<RosterSync>);
        services.AddTransient<Func<ExportRun>>(static sp => sp.GetRequiredService<ExportRun>);
        services.AddTransient<Func<WorkItemProcessor>>(static sp => sp.GetRequiredService<WorkItemProcessor>);
        services.AddTransient<Func<CompletenessCheck>>(static sp => sp.GetRequiredService<CompletenessCheck>);
        services.AddTransient<IAthosHttpHandlers, AthosHttpHandlers>();
        services.AddTransient<IQueueMessageProcessor, QueueMessageProcessor>();
        services.AddTransient<IScheduledJobs, ScheduledJobs>();
        services.AddSingleton<IRunnerPlatform, RunnerPlatform>();
        services.AddSingleton<IAthosSettings, AthosSettingsCheck>();
        return services;
    }
}
