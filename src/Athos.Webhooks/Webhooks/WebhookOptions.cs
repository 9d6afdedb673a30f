using Athos.Webhooks.Hosting;
using Microsoft.Extensions.Configuration;

namespace Athos.Webhooks.Webhooks;

/// <summary>How webhooks are authenticated and what is kept of them.</summary>
public sealed class WebhookOptions
{
    public const string SecretSetting = "ATHOS_WHSEC";
    public const string PreviousSecretSetting = "ATHOS_WHSEC_PREVIOUS";
    public const string ToleranceSetting = "ATHOS_WEBHOOK_TOLERANCE";
    public const string DeliveryRetentionSetting = "ATHOS_WEBHOOK_DELIVERY_RETENTION";

    /// <summary>Athos's requests are small; anything larger is refused unread (413).</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The signing secret, whole (<c>whsec_…</c>; the prefix is part of the HMAC key).</summary>
    [RequiredSetting]
    [ConfigurationKeyName(SecretSetting)]
    public string Secret { get; set; } = string.Empty;

    /// <summary>The secret before the last rotation, accepted too while the customer switches.</summary>
    [ConfigurationKeyName(PreviousSecretSetting)]
    public string? PreviousSecret { get; set; }

    /// <summary>How far <c>t</c> may be from now, either way.</summary>
    [ConfigurationKeyName(ToleranceSetting)]
    public TimeSpan Tolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long each delivery's record stays queryable.</summary>
    [ConfigurationKeyName(DeliveryRetentionSetting)]
    public TimeSpan DeliveryRetention { get; set; } = TimeSpan.FromDays(35);

    /// <summary>The secrets a signature may match: the current one, then the previous one when set.</summary>
    public IReadOnlyList<string> Secrets =>
        string.IsNullOrEmpty(PreviousSecret) ? [Secret] : [Secret, PreviousSecret];
}
