using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Changes;
using Athos.Webhooks.Enrichment;
using Athos.Webhooks.Erasure;
using Athos.Webhooks.Exports;
using Athos.Webhooks.Hosting;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.UnitTests;

/// <summary>
/// Each setting's rule, through the validators start-up runs (AddAthosWebhooks, no storage touched): a bad value gives
/// exactly one failure, and it names the setting.
/// </summary>
public sealed class SettingRulesTests
{
    [Theory]
    [InlineData("ATHOS_API_KEY", null, "ATHOS_API_KEY is required: set it to the API key Athos issued")]
    [InlineData("ATHOS_API_KEY", "  ", "ATHOS_API_KEY is required")]
    [InlineData("ATHOS_API_KEY", "ath_live_ with space", "ATHOS_API_KEY contains whitespace")]
    [InlineData("ATHOS_API_KEY", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/ATHOS-API-KEY)", "ATHOS_API_KEY is a Key Vault reference that did not resolve")]
    [InlineData("ATHOS_BASE_URL", "app.useathos.ai/api", "ATHOS_BASE_URL must be an absolute https URL such as https://app.useathos.ai/api/external/v1; got 'app.useathos.ai/api'")]
    [InlineData("ATHOS_BASE_URL", "ftp://app.useathos.ai/api", "ATHOS_BASE_URL must be an absolute https URL")]
    [InlineData("ATHOS_BASE_URL", "http://athos.internal.example/api", "ATHOS_BASE_URL must be an https URL such as https://app.useathos.ai/api/external/v1: over http the API key would travel in clear")]
    [InlineData("ATHOS_HTTP_ATTEMPT_TIMEOUT", "00:00:00", "ATHOS_HTTP_ATTEMPT_TIMEOUT must be a positive duration such as 00:00:15; got 00:00:00.")]
    [InlineData("ATHOS_HTTP_TOTAL_TIMEOUT", "00:00:15", "ATHOS_HTTP_TOTAL_TIMEOUT (00:00:15) must be longer than ATHOS_HTTP_ATTEMPT_TIMEOUT (00:00:15)")]
    [InlineData("ATHOS_HTTP_MAX_RETRIES", "0", "ATHOS_HTTP_MAX_RETRIES must be between 1 and 10; got 0.")]
    [InlineData("ATHOS_HTTP_MAX_RETRIES", "11", "ATHOS_HTTP_MAX_RETRIES must be between 1 and 10; got 11.")]
    [InlineData("ATHOS_HTTP_RETRY_DELAY", "-00:00:01", "ATHOS_HTTP_RETRY_DELAY must be a positive duration")]
    [InlineData("ATHOS_HTTP_MAX_CONCURRENCY", "65", "ATHOS_HTTP_MAX_CONCURRENCY must be between 1 and 64")]
    [InlineData("ATHOS_WHSEC", null, "ATHOS_WHSEC is required: set it to the webhook signing secret")]
    [InlineData("ATHOS_WHSEC", "whsec_with\nline break", "ATHOS_WHSEC contains whitespace")]
    [InlineData("ATHOS_WHSEC", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/ATHOS-WHSEC)", "ATHOS_WHSEC is a Key Vault reference that did not resolve")]
    [InlineData("ATHOS_WHSEC", "c2VjcmV0LXRoYXQtbG9va3MtYmFzZTY0", "ATHOS_WHSEC does not look like an Athos signing secret (whsec_…)")]
    [InlineData("ATHOS_WHSEC", "whsec_", "ATHOS_WHSEC does not look like an Athos signing secret")]
    [InlineData("ATHOS_WHSEC_PREVIOUS", "previous", "ATHOS_WHSEC_PREVIOUS does not look like an Athos signing secret")]
    [InlineData("ATHOS_WHSEC_PREVIOUS", "whsec_ previous", "ATHOS_WHSEC_PREVIOUS contains whitespace")]
    [InlineData("ATHOS_WHSEC_PREVIOUS", " ", "ATHOS_WHSEC_PREVIOUS contains whitespace")]
    [InlineData("ATHOS_WHSEC_PREVIOUS", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/ATHOS-WHSEC-PREVIOUS)", "ATHOS_WHSEC_PREVIOUS is a Key Vault reference that did not resolve")]
    [InlineData("ATHOS_WEBHOOK_TOLERANCE", "00:00:05", "ATHOS_WEBHOOK_TOLERANCE must be between 00:00:30 and 01:00:00 (Athos's contract says 00:05:00); got 00:00:05.")]
    [InlineData("ATHOS_WEBHOOK_DELIVERY_RETENTION", "7.00:00:00", "ATHOS_WEBHOOK_DELIVERY_RETENTION must be between 30 and 400 days")]
    [InlineData("ATHOS_CHANGE_RETENTION", "401.00:00:00", "ATHOS_CHANGE_RETENTION must be between 1 and 400 days")]
    [InlineData("ATHOS_ERASURE_TOMBSTONE_RETENTION", "7.00:00:00", "ATHOS_ERASURE_TOMBSTONE_RETENTION must be between 30 and 3650 days (30.00:00:00 to 3650.00:00:00); got 7.00:00:00.")]
    [InlineData("ATHOS_ERASURE_TOMBSTONE_RETENTION", "3651.00:00:00", "ATHOS_ERASURE_TOMBSTONE_RETENTION must be between 30 and 3650 days")]
    [InlineData("ATHOS_RECORDING_MAX_BYTES", "1000", "ATHOS_RECORDING_MAX_BYTES must be a byte count between 1048576 (1 MiB) and 4294967296 (4 GiB), such as 209715200; got 1000.")]
    [InlineData("ATHOS_RECONCILE_SCHEDULE", "*/10 * * * *", "ATHOS_RECONCILE_SCHEDULE must be a six-field CRON expression (second minute hour day month weekday), such as '0 */10 * * * *'; got '*/10 * * * *'.")]
    [InlineData("ATHOS_RECONCILE_RESCAN_SCHEDULE", "daily", "ATHOS_RECONCILE_RESCAN_SCHEDULE must be a six-field CRON expression")]
    [InlineData("ATHOS_EXPORT_SCHEDULE", "*/15 * * * *", "ATHOS_EXPORT_SCHEDULE must be a six-field CRON expression (second minute hour day month weekday), such as '0 */15 * * * *'; got '*/15 * * * *'.")]
    [InlineData("ATHOS_RECONCILE_OVERLAP", "-01:00:00", "ATHOS_RECONCILE_OVERLAP must be between 00:00:00 and 7.00:00:00")]
    [InlineData("ATHOS_RECONCILE_LOOKBACK", "00:00:00", "ATHOS_RECONCILE_LOOKBACK must be between 00:00:01 and 400.00:00:00")]
    [InlineData("ATHOS_RECONCILE_PARALLELISM", "0", "ATHOS_RECONCILE_PARALLELISM must be between 1 and 64; got 0.")]
    [InlineData("ATHOS_SOURCES", "roleplay,phone", "ATHOS_SOURCES must list Athos call sources")]
    [InlineData("ATHOS_SOURCES", "roleplay,roleplay", "ATHOS_SOURCES must list Athos call sources")]
    [InlineData("ATHOS_SOURCES", " , ", "ATHOS_SOURCES must list Athos call sources")]
    [InlineData("ATHOS_RECONCILE_REAL_CALL_MAX_DURATION", "2.00:00:00", "ATHOS_RECONCILE_REAL_CALL_MAX_DURATION must be between")]
    [InlineData("ATHOS_RECONCILE_RESCAN_WINDOW", "00:10:00", "ATHOS_RECONCILE_RESCAN_WINDOW must be between")]
    [InlineData("ATHOS_RECONCILE_RUN_BUDGET", "00:10:00", "ATHOS_RECONCILE_RUN_BUDGET must be between 00:00:01 and 00:09:00")]
    [InlineData("ATHOS_RECONCILE_QUEUE_DELAY", "00:11:00", "ATHOS_RECONCILE_QUEUE_DELAY must be between 00:00:00 and 00:10:00; got 00:11:00.")]
    [InlineData("AzureWebJobsStorage", null, "AzureWebJobsStorage is required")]
    [InlineData("AzureWebJobsStorage", "this is not a connection string", "AzureWebJobsStorage is not a valid storage connection string")]
    [InlineData("AzureWebJobsStorage:accountName", "Not_An_Account", "AzureWebJobsStorage__accountName must be 3–24 lowercase letters and digits")]
    public void A_bad_value_gives_one_failure_naming_the_setting(string setting, string? value, string expected)
    {
        var failure = Assert.Single(Failures((setting, value)));

        Assert.StartsWith(expected, failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ATHOS_HTTP_TOTAL_TIMEOUT", "soon")]
    [InlineData("ATHOS_HTTP_MAX_RETRIES", "three")]
    [InlineData("ATHOS_STORE_TRANSCRIPTS", "nope")]
    [InlineData("ATHOS_ARCHIVE_RECORDINGS", "maybe")]
    [InlineData("ATHOS_RECORDING_MAX_BYTES", "200MB")]
    [InlineData("ATHOS_RECONCILE_OVERLAP", "an hour")]
    [InlineData("ATHOS_CHANGE_RETENTION", "a month")]
    [InlineData("ATHOS_ERASURE_TOMBSTONE_RETENTION", "a year")]
    public void A_value_of_the_wrong_type_fails_the_same_way_naming_the_setting(string setting, string value)
    {
        var failure = Assert.Single(Failures((setting, value)));

        Assert.Contains($"'{setting}'", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_with_the_required_settings_pass()
    {
        Assert.Empty(Failures());
    }

    [Fact]
    public void A_rotating_pair_of_whole_secrets_passes()
    {
        Assert.Empty(Failures(("ATHOS_WHSEC_PREVIOUS", "whsec_previous0000000000000000")));
    }

    /// <summary>Every failure of every settings class, as start-up would report them.</summary>
    private static List<string> Failures(params (string Setting, string? Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            [AthosApiOptions.ApiKeySetting] = "ath_live_unit",
            [WebhookOptions.SecretSetting] = "whsec_unit0000000000000000000",
            [StorageOptions.Setting] = "UseDevelopmentStorage=true",
        };
        foreach (var (setting, value) in overrides)
        {
            settings[setting] = value;
        }

        if (settings.ContainsKey("AzureWebJobsStorage:accountName"))
        {
            settings[StorageOptions.Setting] = null;
        }

        using var services = new ServiceCollection().AddAthosWebhooks(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).BuildServiceProvider();
        return
        [
            .. FailuresOf<AthosApiOptions>(services),
            .. FailuresOf<WebhookOptions>(services),
            .. FailuresOf<EnrichmentOptions>(services),
            .. FailuresOf<ChangeFeedOptions>(services),
            .. FailuresOf<ErasureOptions>(services),
            .. FailuresOf<ReconcileOptions>(services),
            .. FailuresOf<ExportOptions>(services),
            .. FailuresOf<StorageOptions>(services),
        ];
    }

    private static IEnumerable<string> FailuresOf<T>(IServiceProvider services)
        where T : class
    {
        try
        {
            _ = services.GetRequiredService<IOptions<T>>().Value;
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return ex.Failures;
        }
    }
}
