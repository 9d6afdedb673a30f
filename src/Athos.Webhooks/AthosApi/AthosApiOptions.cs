using Athos.Webhooks.Settings;
using Microsoft.Extensions.Configuration;

namespace Athos.Webhooks.AthosApi;

/// <summary>How to reach the Athos External API, and how hard to try.</summary>
/// <remarks>
/// Bound from flat app settings (the names Athos's own docs use). The retry budget is tuned for a queue-triggered
/// caller: a failed message is retried by the queue anyway, so one invocation gives up well inside the function
/// timeout rather than holding a worker for minutes. Each setting's rule is declared on it (checked by
/// <c>AthosApiOptionsValidator</c>, generated); the one rule across two settings is <c>AthosTimeoutsValidator</c>'s.
/// </remarks>
internal sealed class AthosApiOptions
{
    public const string ApiKeySetting = "ATHOS_API_KEY";
    public const string BaseUrlSetting = "ATHOS_BASE_URL";
    public const string AttemptTimeoutSetting = "ATHOS_HTTP_ATTEMPT_TIMEOUT";
    public const string TotalTimeoutSetting = "ATHOS_HTTP_TOTAL_TIMEOUT";
    public const string MaxRetriesSetting = "ATHOS_HTTP_MAX_RETRIES";
    public const string RetryDelaySetting = "ATHOS_HTTP_RETRY_DELAY";
    public const string MaxConcurrencySetting = "ATHOS_HTTP_MAX_CONCURRENCY";

    private const string DefaultBaseUrlText = "https://app.useathos.ai/api/external/v1";

    public static readonly Uri DefaultBaseUrl = new(DefaultBaseUrlText);

    /// <summary>The API key (<c>ath_live_…</c>), sent as a bearer token. Required.</summary>
    [RequiredSetting(Hint = "set it to the API key Athos issued (ath_live_…).")]
    [SecretSetting]
    [ConfigurationKeyName(ApiKeySetting)]
    public string ApiKey { get; set; } = string.Empty;

    [HttpsUrl(DefaultBaseUrlText)]
    [ConfigurationKeyName(BaseUrlSetting)]
    public Uri BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>One HTTP attempt, from sending to the last byte of the body.</summary>
    [SettingRange("00:00:00.0000001", Requirement = "a positive duration such as 00:00:15")]
    [ConfigurationKeyName(AttemptTimeoutSetting)]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Every attempt and every wait between them together; well below the queue function's timeout.</summary>
    [ConfigurationKeyName(TotalTimeoutSetting)]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(60);

    [SettingRange(1, 10)]
    [ConfigurationKeyName(MaxRetriesSetting)]
    public int MaxRetries { get; set; } = 4;

    /// <summary>The first back-off; later ones double, with jitter. A <c>Retry-After</c> header takes precedence.</summary>
    [SettingRange("00:00:00.0000001", Requirement = "a positive duration such as 00:00:01")]
    [ConfigurationKeyName(RetryDelaySetting)]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Athos requests in flight at once from this instance (each with its retries); callers beyond it wait their
    /// turn. The account-wide worst case is this times the deployment's <c>maximumInstanceCount</c>.
    /// </summary>
    [SettingRange(1, 64, Requirement = "between 1 and 64 (Athos requests at once per instance)")]
    [ConfigurationKeyName(MaxConcurrencySetting)]
    public int MaxConcurrency { get; set; } = 8;
}
