using Athos.Webhooks.Settings;
using Microsoft.Extensions.Configuration;

namespace Athos.Webhooks.Erasure;

/// <summary>How long an erased call's tombstone keeps every path from storing it again.</summary>
internal sealed class ErasureOptions
{
    public const string TombstoneRetentionSetting = "ATHOS_ERASURE_TOMBSTONE_RETENTION";

    public static readonly TimeSpan DefaultTombstoneRetention = TimeSpan.FromDays(400);

    /// <summary>
    /// A tombstone is kept at least this long; the daily housekeeping then deletes it, and a call Athos still lists can be
    /// stored again. At least the rescan's 30 days; delete the call at Athos too, and keep it longer than any backfill reaches.
    /// </summary>
    [SettingRange("30.00:00:00", "3650.00:00:00", Requirement = "between 30 and 3650 days (30.00:00:00 to 3650.00:00:00)")]
    [ConfigurationKeyName(TombstoneRetentionSetting)]
    public TimeSpan TombstoneRetention { get; set; } = DefaultTombstoneRetention;
}
