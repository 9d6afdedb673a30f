using Athos.Webhooks.Settings;
using Microsoft.Extensions.Configuration;

namespace Athos.Webhooks.Webhooks;

/// <summary>How webhooks are authenticated and what is kept of them.</summary>
internal sealed class WebhookOptions
{
    public const string SecretSetting = "ATHOS_WHSEC";
    public const string PreviousSecretSetting = "ATHOS_WHSEC_PREVIOUS";
    public const string ToleranceSetting = "ATHOS_WEBHOOK_TOLERANCE";
    public const string DeliveryRetentionSetting = "ATHOS_WEBHOOK_DELIVERY_RETENTION";

    /// <summary>
    /// Every Athos signing secret starts with this, and it is part of the HMAC key (../shared/athos/CONTRACT.md): a value
    /// without it cannot verify any delivery, so start-up refuses it rather than answer every webhook 401.
    /// </summary>
    public const string SecretPrefix = "whsec_";

    /// <summary>Athos's requests are small; anything larger is refused unread (413).</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The signing secret, whole (<c>whsec_…</c>; the prefix is part of the HMAC key).</summary>
    [RequiredSetting(Hint = "set it to the webhook signing secret Athos gave you (whsec_…), whole.")]
    [SecretSetting(Prefix = SecretPrefix)]
    [ConfigurationKeyName(SecretSetting)]
    public string Secret { get; set; } = string.Empty;

    /// <summary>The secret before the last rotation, accepted too while the customer switches.</summary>
    [SecretSetting(Prefix = SecretPrefix, Optional = true)]
    [ConfigurationKeyName(PreviousSecretSetting)]
    public string? PreviousSecret { get; set; }

    /// <summary>How far <c>t</c> may be from now, either way.</summary>
    [SettingRange("00:00:30", "01:00:00", Requirement = "between 00:00:30 and 01:00:00 (Athos's contract says 00:05:00)")]
    [ConfigurationKeyName(ToleranceSetting)]
    public TimeSpan Tolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long each delivery's record stays queryable.</summary>
    [SettingRange("30.00:00:00", "400.00:00:00", Requirement = "between 30 and 400 days (30.00:00:00 to 400.00:00:00)")]
    [ConfigurationKeyName(DeliveryRetentionSetting)]
    public TimeSpan DeliveryRetention { get; set; } = TimeSpan.FromDays(35);

    /// <summary>The secrets a signature may match: the current one, then the previous one when set.</summary>
    public IReadOnlyList<string> Secrets =>
        string.IsNullOrWhiteSpace(PreviousSecret) ? [Secret] : [Secret, PreviousSecret];
}
