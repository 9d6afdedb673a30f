using Athos.Webhooks.Settings;
using Microsoft.Extensions.Configuration;
using NCrontab;

namespace Athos.Webhooks.Exports;

/// <summary>When the analytics export (<c>athos-exports</c>) runs.</summary>
internal sealed class ExportOptions
{
    public const string ScheduleSetting = "ATHOS_EXPORT_SCHEDULE";

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

    /// <summary>The schedule, parsed (validated at start-up).</summary>
    public CrontabSchedule ParseSchedule() => TimerSchedule.Parse(Schedule);
}
