using Athos.Webhooks.Settings;
using Microsoft.Extensions.Configuration;
using NCrontab;

namespace Athos.Webhooks.Roster;

/// <summary>When the roster mirror (<c>AthosAgents</c>) is synced, what of it is kept, and for how long.</summary>
internal sealed class RosterOptions
{
    public const string ScheduleSetting = "ATHOS_ROSTER_SCHEDULE";
    public const string MirrorNpnSetting = "ATHOS_ROSTER_MIRROR_NPN";
    public const string RemovedRetentionSetting = "ATHOS_ROSTER_REMOVED_RETENTION";

    /// <summary>Hourly, at minute 20 (away from the reconciler's tens and housekeeping's 45).</summary>
    public const string DefaultSchedule = "0 20 * * * *";

    /// <summary>
    /// Six-field CRON of the roster sync. Required in a deployment: the Functions host resolves
    /// <c>%ATHOS_ROSTER_SCHEDULE%</c> itself, before any of this code runs.
    /// </summary>
    [RequiredSetting]
    [SixFieldCron(DefaultSchedule)]
    [ConfigurationKeyName(ScheduleSetting)]
    public string Schedule { get; set; } = DefaultSchedule;

    /// <summary>Whether reps' NPNs are mirrored: personal data that most dashboards do not need, so off unless asked for.</summary>
    [ConfigurationKeyName(MirrorNpnSetting)]
    public bool MirrorNpn { get; set; }

    /// <summary>How long an agent Athos no longer lists stays in the mirror (marked removed) before the sync deletes its row.</summary>
    [SettingRange("00:00:00", "3650.00:00:00", Requirement = "between 00:00:00 and 3650.00:00:00 (0 deletes a removed agent at the next sync)")]
    [ConfigurationKeyName(RemovedRetentionSetting)]
    public TimeSpan RemovedRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>The schedule, parsed (validated at start-up).</summary>
    public CrontabSchedule ParseSchedule() => TimerSchedule.Parse(Schedule);
}
