using Microsoft.Extensions.Configuration;

namespace Athos.Webhooks.Changes;

/// <summary>How long <c>AthosCallChanges</c> keeps its rows.</summary>
public sealed class ChangeFeedOptions
{
    public const string RetentionSetting = "ATHOS_CHANGE_RETENTION";

    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(35);

    public static readonly TimeSpan MinRetention = TimeSpan.FromDays(1);

    public static readonly TimeSpan MaxRetention = TimeSpan.FromDays(400);

    /// <summary>Changes are kept at least this long; the daily housekeeping deletes older ones.</summary>
    [ConfigurationKeyName(RetentionSetting)]
    public TimeSpan Retention { get; set; } = DefaultRetention;
}
