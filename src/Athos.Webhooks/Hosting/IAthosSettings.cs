using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Erasure;
using Athos.Webhooks.Exports;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Roster;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Webhooks;

namespace Athos.Webhooks.Hosting;

/// <summary>
/// The settings as a host sees them: the names it writes or prints (the settings classes, internal, declare them), and
/// the validators start-up runs, one settings class at a time, for <c>doctor</c>. Each check returns the failures start-up
/// would stop on, each naming its setting, or nothing when the settings are valid; it throws what start-up would throw
/// for anything else.
/// </summary>
public interface IAthosSettings
{
    const string AthosApiKey = AthosApiOptions.ApiKeySetting;
    const string AthosBaseUrl = AthosApiOptions.BaseUrlSetting;
    const string AthosMaxRetries = AthosApiOptions.MaxRetriesSetting;
    const string AthosAttemptTimeout = AthosApiOptions.AttemptTimeoutSetting;
    const string AthosTotalTimeout = AthosApiOptions.TotalTimeoutSetting;
    const string WebhookSecret = WebhookOptions.SecretSetting;
    const string ReconcileSchedule = ReconcileOptions.ScheduleSetting;
    const string RescanSchedule = ReconcileOptions.RescanScheduleSetting;
    const string TombstoneRetention = ErasureOptions.TombstoneRetentionSetting;
    const string RosterSchedule = RosterOptions.ScheduleSetting;
    const string ExportSchedule = ExportOptions.ScheduleSetting;

    /// <summary>The storage account: a connection string, or <c>AzureWebJobsStorage__accountName</c> and friends for an identity.</summary>
    const string Storage = StorageOptions.Setting;

    /// <summary><c>ATHOS_API_KEY</c>, <c>ATHOS_BASE_URL</c>, <c>ATHOS_HTTP_*</c>.</summary>
    IReadOnlyList<string> CheckAthosApi();

    /// <summary><c>ATHOS_WHSEC</c>, <c>ATHOS_WHSEC_PREVIOUS</c>, <c>ATHOS_WEBHOOK_*</c>.</summary>
    IReadOnlyList<string> CheckWebhook();

    /// <summary><c>ATHOS_RECONCILE_*</c>, <c>ATHOS_SOURCES</c>.</summary>
    IReadOnlyList<string> CheckReconcile();

    /// <summary><c>ATHOS_STORE_TRANSCRIPTS</c>, <c>ATHOS_ARCHIVE_RECORDINGS</c>, <c>ATHOS_RECORDING_MAX_BYTES</c>.</summary>
    IReadOnlyList<string> CheckEnrichment();

    /// <summary><c>ATHOS_CHANGE_RETENTION</c>.</summary>
    IReadOnlyList<string> CheckChangeFeed();

    /// <summary><c>ATHOS_ERASURE_TOMBSTONE_RETENTION</c>.</summary>
    IReadOnlyList<string> CheckErasure();

    /// <summary><c>ATHOS_ROSTER_*</c>.</summary>
    IReadOnlyList<string> CheckRoster();

    /// <summary><c>ATHOS_EXPORT_*</c>.</summary>
    IReadOnlyList<string> CheckExport();

    /// <summary><c>AzureWebJobsStorage</c>.</summary>
    IReadOnlyList<string> CheckStorage();

    /// <summary>host.json's <c>extensions.queues</c> and <c>functionTimeout</c>.</summary>
    IReadOnlyList<string> CheckHostJsonQueues();
}
