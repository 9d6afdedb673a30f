using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Changes;
using Athos.Webhooks.Enrichment;
using Athos.Webhooks.Erasure;
using Athos.Webhooks.Exports;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Roster;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Webhooks;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Hosting;

/// <summary>Start-up's validation of each settings class, on demand: reading the options runs their validators.</summary>
internal sealed class AthosSettingsCheck(
    IOptions<AthosApiOptions> athosApi,
    IOptions<WebhookOptions> webhook,
    IOptions<ReconcileOptions> reconcile,
    IOptions<EnrichmentOptions> enrichment,
    IOptions<ChangeFeedOptions> changeFeed,
    IOptions<ErasureOptions> erasure,
    IOptions<RosterOptions> roster,
    IOptions<ExportOptions> export,
    IOptions<StorageOptions> storage,
    IOptions<QueueOptions> queues) : IAthosSettings
{
    public IReadOnlyList<string> CheckAthosApi() => Check(athosApi);

    public IReadOnlyList<string> CheckWebhook() => Check(webhook);

    public IReadOnlyList<string> CheckReconcile() => Check(reconcile);

    public IReadOnlyList<string> CheckEnrichment() => Check(enrichment);

    public IReadOnlyList<string> CheckChangeFeed() => Check(changeFeed);

    public IReadOnlyList<string> CheckErasure() => Check(erasure);

    public IReadOnlyList<string> CheckRoster() => Check(roster);

    public IReadOnlyList<string> CheckExport() => Check(export);

    public IReadOnlyList<string> CheckStorage() => Check(storage);

    public IReadOnlyList<string> CheckHostJsonQueues() => Check(queues);

    private static IReadOnlyList<string> Check<T>(IOptions<T> options)
        where T : class
    {
        try
        {
            _ = options.Value;
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return [.. ex.Failures];
        }
    }
}
