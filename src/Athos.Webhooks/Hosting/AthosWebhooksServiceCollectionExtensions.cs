using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Changes;
using Athos.Webhooks.Enrichment;
using Athos.Webhooks.Health;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Webhooks;
using Athos.Webhooks.WorkItems;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Hosting;

/// <summary>The one composition root: every host (the Functions app, the local runner, the tests) calls this.</summary>
public static class AthosWebhooksServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Athos client, storage clients and the product's services, reading the flat app settings
    /// (<c>ATHOS_API_KEY</c>, <c>ATHOS_WHSEC</c>, <c>AzureWebJobsStorage</c>, …) from <paramref name="configuration"/>.
    /// Settings are validated when the host starts; a missing or malformed one stops it with a message naming it.
    /// </summary>
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
        services.TryAddSingleton(_ => QueueOptions.FromHostJson());
        services.AddSingleton<ParkedWork>();
        services.AddSingleton<PoisonSweeper>();
        services.AddSingleton<ParkedRedrive>();

        services.AddSettings<WebhookOptions, WebhookOptionsValidator>(configuration, static (settings, options) => settings.Bind(options));
        services.AddSingleton<DeliveryLedger>();
        services.AddSingleton<WebhookReceiver>();

        services.AddSettings<EnrichmentOptions, EnrichmentOptionsValidator>(configuration, static (settings, options) => settings.Bind(options));
        services.AddSingleton<CallArchive>();
        services.AddSingleton<RecordingArchive>();
        // Its own client, never the Athos one: the signed link needs no key, and the recording host must not see it.
        services.AddHttpClient<RecordingDownloader>(http => http.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();
        services.AddTransient<RecordingArchiver>();
        services.AddTransient<CallReprojector>();
        services.AddSingleton<CallRowWriter>();
        services.AddSingleton<CallReader>();
        services.AddSingleton<CallEraser>();
        services.AddSingleton<CallIndex>();
        services.AddSingleton<CallConsistencyChecker>();
        services.AddAthosChangeFeed(configuration);
        services.AddTransient<CallConsistencyRepairer>();
        // Transient: they hold the typed Athos client, whose handler the factory rotates.
        services.AddTransient<CallEnricher>();
        services.AddTransient<WorkItemProcessor>();

        services.AddSettings<ReconcileOptions, ReconcileOptionsValidator>(configuration, static (settings, options) => settings.Bind(options));
        services.AddSingleton<LeaseLock>();
        services.AddSingleton<ReconcileStateStore>();
        services.AddSingleton<ContractObserver>();
        services.AddSingleton<QueuedCalls>();
        services.AddSingleton<MissingCallFinder>();
        services.AddSingleton<StoredWindow>();
        services.AddTransient<CallPager>();
        services.AddTransient<Reconciler>();
        services.AddTransient<Housekeeping>();
        services.AddTransient<Backfiller>();

        services.AddSingleton<PipelineHealth>();
        services.AddSingleton<NewestRows>();
        services.AddTransient<CompletenessCheck>();
        return services;
    }
}
