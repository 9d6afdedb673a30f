using Athos.Webhooks.Storage;
using Athos.Webhooks.Tests.Fixtures;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Tests.Hosting;

/// <summary>Missing or malformed settings stop start-up with a message naming the setting.</summary>
public sealed class SettingsValidationTests
{
    [Theory]
    [InlineData("ATHOS_API_KEY", null, "ATHOS_API_KEY is required")]
    [InlineData("ATHOS_API_KEY", "ath_live_ with space", "ATHOS_API_KEY contains whitespace")]
    [InlineData("ATHOS_BASE_URL", "app.useathos.ai/api", "ATHOS_BASE_URL must be an absolute https URL")]
    [InlineData("ATHOS_BASE_URL", "ftp://app.useathos.ai/api", "ATHOS_BASE_URL must be an absolute https URL")]
    [InlineData("ATHOS_BASE_URL", "http://app.useathos.ai/api/external/v1", "ATHOS_BASE_URL must be an https URL such as https://app.useathos.ai/api/external/v1: over http the API key would travel in clear")]
    [InlineData("ATHOS_BASE_URL", "http://10.0.0.5:8080/v1", "Plain http is accepted only for a loopback address")]
    [InlineData("ATHOS_HTTP_MAX_RETRIES", "50", "ATHOS_HTTP_MAX_RETRIES must be between 1 and 10")]
    [InlineData("ATHOS_HTTP_MAX_CONCURRENCY", "0", "ATHOS_HTTP_MAX_CONCURRENCY must be between 1 and 64")]
    [InlineData("ATHOS_HTTP_MAX_CONCURRENCY", "65", "ATHOS_HTTP_MAX_CONCURRENCY must be between 1 and 64")]
    [InlineData("ATHOS_HTTP_TOTAL_TIMEOUT", "00:00:01", "ATHOS_HTTP_TOTAL_TIMEOUT (00:00:01) must be longer than ATHOS_HTTP_ATTEMPT_TIMEOUT")]
    [InlineData("ATHOS_WHSEC", null, "ATHOS_WHSEC is required")]
    [InlineData("ATHOS_WHSEC", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/ATHOS-WHSEC)", "ATHOS_WHSEC is a Key Vault reference that did not resolve")]
    [InlineData("ATHOS_API_KEY", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/ATHOS-API-KEY)", "ATHOS_API_KEY is a Key Vault reference that did not resolve")]
    [InlineData("ATHOS_WEBHOOK_TOLERANCE", "00:00:05", "ATHOS_WEBHOOK_TOLERANCE must be between")]
    [InlineData("ATHOS_WEBHOOK_DELIVERY_RETENTION", "7.00:00:00", "ATHOS_WEBHOOK_DELIVERY_RETENTION must be between 30 and 400 days")]
    [InlineData("ATHOS_RECONCILE_SCHEDULE", "*/10 * * * *", "ATHOS_RECONCILE_SCHEDULE must be a six-field CRON expression")]
    [InlineData("ATHOS_RECONCILE_OVERLAP", "-01:00:00", "ATHOS_RECONCILE_OVERLAP must be between")]
    [InlineData("ATHOS_RECONCILE_LOOKBACK", "00:00:00", "ATHOS_RECONCILE_LOOKBACK must be between")]
    [InlineData("ATHOS_RECONCILE_PARALLELISM", "0", "ATHOS_RECONCILE_PARALLELISM must be between 1 and 64")]
    [InlineData("ATHOS_SOURCES", "roleplay,phone", "ATHOS_SOURCES must list Athos call sources")]
    [InlineData("ATHOS_SOURCES", "roleplay,roleplay", "ATHOS_SOURCES must list Athos call sources")]
    [InlineData("ATHOS_SOURCES", " , ", "ATHOS_SOURCES must list Athos call sources")]
    [InlineData("ATHOS_RECONCILE_RESCAN_SCHEDULE", "daily", "ATHOS_RECONCILE_RESCAN_SCHEDULE must be a six-field CRON expression")]
    [InlineData("ATHOS_EXPORT_SCHEDULE", "every 15 minutes", "ATHOS_EXPORT_SCHEDULE must be a six-field CRON expression")]
    [InlineData("ATHOS_RECONCILE_RESCAN_WINDOW", "00:10:00", "ATHOS_RECONCILE_RESCAN_WINDOW must be between")]
    [InlineData("ATHOS_RECONCILE_REAL_CALL_MAX_DURATION", "2.00:00:00", "ATHOS_RECONCILE_REAL_CALL_MAX_DURATION must be between")]
    [InlineData("ATHOS_RECORDING_MAX_BYTES", "1000", "ATHOS_RECORDING_MAX_BYTES must be a byte count between")]
    [InlineData("ATHOS_EXPORT_REBUILD_SCHEDULE", "nightly", "ATHOS_EXPORT_REBUILD_SCHEDULE must be a six-field CRON expression")]
    [InlineData("ATHOS_EXPORT_GRACE", "00:01:00", "ATHOS_EXPORT_GRACE must be between 00:10:00 and 30.00:00:00")]
    [InlineData("AzureWebJobsStorage", null, "AzureWebJobsStorage is required")]
    [InlineData("AzureWebJobsStorage", "this is not a connection string", "AzureWebJobsStorage is not a valid storage connection string")]
    public async Task A_bad_setting_stops_start_up_naming_it(string setting, string? value, string expected)
    {
        var settings = StackSettings.For(null, null);
        settings[setting] = value;

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(settings));

        // The host aggregates every failed options validation (the HTTP pipeline's options read the Athos ones too).
        var failures = error is AggregateException aggregate ? aggregate.InnerExceptions : [error];
        Assert.All(failures, failure => Assert.IsType<OptionsValidationException>(failure));
        Assert.All(failures, failure => Assert.Contains(expected, failure.Message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ATHOS_HTTP_TOTAL_TIMEOUT", "soon")]
    [InlineData("ATHOS_HTTP_MAX_RETRIES", "three")]
    [InlineData("ATHOS_STORE_TRANSCRIPTS", "nope")]
    [InlineData("ATHOS_RECONCILE_OVERLAP", "an hour")]
    [InlineData("ATHOS_RECORDING_MAX_BYTES", "200MB")]
    [InlineData("ATHOS_ARCHIVE_RECORDINGS", "maybe")]
    public async Task A_value_of_the_wrong_type_stops_start_up_naming_the_setting(string setting, string value)
    {
        var settings = StackSettings.For(null, null);
        settings[setting] = value;

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(settings));

        // Reported as every other bad setting is: an options validation failure naming it.
        var failures = error is AggregateException aggregate ? aggregate.InnerExceptions : [error];
        Assert.All(failures, failure => Assert.IsType<OptionsValidationException>(failure));
        Assert.All(failures, failure => Assert.Contains($"'{setting}'", failure.Message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://app.useathos.ai/api/external/v1")]
    [InlineData("http://127.0.0.1:5080/api/external/v1")]
    [InlineData("http://[::1]:5080/v1")]
    [InlineData("http://localhost:5080/v1")]
    public async Task Athos_is_reached_over_https_or_on_this_machine(string baseUrl)
    {
        var settings = StackSettings.For(null, null);
        settings["ATHOS_BASE_URL"] = baseUrl;

        await using var app = await TestApp.StartAsync(settings);

        Assert.Equal(new Uri(baseUrl), app.Get<IOptions<Athos.Webhooks.AthosApi.AthosApiOptions>>().Value.BaseUrl);
    }

    [Fact]
    public async Task Identity_based_storage_settings_need_no_connection_string()
    {
        var settings = StackSettings.For(null, null);
        settings["AzureWebJobsStorage"] = null;
        settings["AzureWebJobsStorage:accountName"] = "athoswebhooksprod";
        settings["AzureWebJobsStorage:credential"] = "managedidentity";
        settings["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000001";

        await using var app = await TestApp.StartAsync(settings);

        var storage = app.Get<IOptions<StorageOptions>>().Value;
        Assert.Equal(new Uri("https://athoswebhooksprod.queue.core.windows.net"), storage.QueueEndpoint);
        Assert.Equal(new Uri("https://athoswebhooksprod.table.core.windows.net"), app.Get<TableServiceClient>().Uri);
    }

    [Fact]
    public async Task An_identity_based_setting_with_a_bad_uri_is_named()
    {
        var settings = StackSettings.For(null, null);
        settings["AzureWebJobsStorage"] = null;
        settings["AzureWebJobsStorage:accountName"] = "athoswebhooksprod";
        settings["AzureWebJobsStorage:tableServiceUri"] = "tables.example";

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(settings));

        Assert.Contains("AzureWebJobsStorage__tableServiceUri must be an absolute URL", error.Message, StringComparison.Ordinal);
    }
}
