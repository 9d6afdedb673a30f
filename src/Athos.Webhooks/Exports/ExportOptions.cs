using Athos.Webhooks.Settings;
using Microsoft.Extensions.Configuration;
using NCrontab;

namespace Athos.Webhooks.Exports;

/// <summary>
/// When the analytics export (<c>athos-exports</c>) runs, when it rebuilds <c>calls/current</c>, <c>scores</c> and
/// <c>agents</c>, and how long a replaced version stays readable.
/// </summary>
internal sealed class ExportOptions
{
    public const string ScheduleSetting = "ATHOS_EXPORT_SCHEDULE";
    public const string RebuildScheduleSetting = "ATHOS_EXPORT_REBUILD_SCHEDULE";
    public const string GraceSetting = "ATHOS_EXPORT_GRACE";

    /// <summary>Nightly at 02:00 UTC, before the reports of the day are refreshed.</summary>
    public const string DefaultRebuildSchedule = "0 0 2 * * *";

    /// <summary>Every 15 minutes, on the minute.</summary>
    public const string DefaultSchedule = "0 */15 * * * *";

    /// <summary>
    /// Six-field CRON (seconds first), as the Functions timer trigger reads it. Required in a deployment: the Functions
    /// host resolves <c>%ATHOS_EXPORT_SCHEDULE%</c> itself, before any of this code runs.
    /// </summary>
    [RequiredSetting]
    [SixFieldCron(DefaultSchedule)]
    [ConfigurationKeyName(ScheduleSetting)]
    public string Schedule { get; set; } = DefaultSchedule;

    /// <summary>
    /// Six-field CRON (seconds first). A rebuild is due once an occurrence has passed since the live version was built;
    /// the export run checks it each time it runs.
    /// </summary>
    [SixFieldCron(DefaultRebuildSchedule)]
    [ConfigurationKeyName(RebuildScheduleSetting)]
    public string RebuildSchedule { get; set; } = DefaultRebuildSchedule;

    /// <summary>
    /// How long a version stays after a newer one replaced it, so that a reader that read the pointer just before (a
    /// Power BI refresh, a long query) finishes on the files it started with.
    /// </summary>
    [SettingRange("00:10:00", "30.00:00:00", Requirement = "between 00:10:00 and 30.00:00:00 (longer than your longest refresh or query)")]
    [ConfigurationKeyName(GraceSetting)]
    public TimeSpan Grace { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Where a rebuild keeps the rows it read until their files are written (<see cref="CallSpill"/>): not a setting, the
    /// process's temporary folder (tests give each their own).
    /// </summary>
    internal string SpillFolder { get; set; } = Path.GetTempPath();

    /// <summary>The schedule, parsed (validated at start-up).</summary>
    public CrontabSchedule ParseSchedule() => TimerSchedule.Parse(Schedule);

    /// <summary>The rebuild's schedule, parsed (validated at start-up).</summary>
    public CrontabSchedule ParseRebuildSchedule() => TimerSchedule.Parse(RebuildSchedule);
}
