using Athos.Webhooks.Settings;
using Microsoft.Extensions.Configuration;

namespace Athos.Webhooks.Changes;

/// <summary>How long <c>AthosCallChanges</c> keeps its rows.</summary>
internal sealed class ChangeFeedOptions
{
    public const string RetentionSetting = "ATHOS_CHANGE_RETENTION";

    public static readonly TimeSpan DefaultRetention = CallChangeFeed.DefaultRetention;

    /// <summary>Changes are kept at least this long; the daily housekeeping deletes older ones.</summary>
    [SettingRange("1.00:00:00", "400.00:00:00", Requirement = "between 1 and 400 days (1.00:00:00 to 400.00:00:00)")]
    [ConfigurationKeyName(RetentionSetting)]
    public TimeSpan Retention { get; set; } = DefaultRetention;
}
