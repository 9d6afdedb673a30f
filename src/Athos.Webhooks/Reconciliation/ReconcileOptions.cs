using Athos.Webhooks.Hosting;
using Microsoft.Extensions.Configuration;
using NCrontab;

namespace Athos.Webhooks.Reconciliation;

/// <summary>When and how far back the reconciler looks.</summary>
public sealed class ReconcileOptions
{
    public const string ScheduleSetting = "ATHOS_RECONCILE_SCHEDULE";
    public const string OverlapSetting = "ATHOS_RECONCILE_OVERLAP";
    public const string LookbackSetting = "ATHOS_RECONCILE_LOOKBACK";
    public const string ParallelismSetting = "ATHOS_RECONCILE_PARALLELISM";

    /// <summary>Every ten minutes, on the minute.</summary>
    public const string DefaultSchedule = "0 */10 * * * *";

    /// <summary>
    /// Six-field CRON (seconds first), as the Functions timer trigger reads it. Required in a deployment: the Functions
    /// host resolves <c>%ATHOS_RECONCILE_SCHEDULE%</c> itself, before any of this code runs.
    /// </summary>
    [RequiredSetting]
    [ConfigurationKeyName(ScheduleSetting)]
    public string Schedule { get; set; } = DefaultSchedule;

    /// <summary>
    /// How far before the last successful run a run starts listing: a call appears in the list only once scored,
    /// some time after it ended, so each window re-scans the end of the previous one (Athos advises an hour).
    /// </summary>
    [ConfigurationKeyName(OverlapSetting)]
    public TimeSpan Overlap { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How far back the very first run lists (there is no watermark yet).</summary>
    [ConfigurationKeyName(LookbackSetting)]
    public TimeSpan Lookback { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How many point reads of <c>AthosCalls</c> run at once.</summary>
    [ConfigurationKeyName(ParallelismSetting)]
    public int Parallelism { get; set; } = 16;

    /// <summary>The schedule, parsed (validated at start-up).</summary>
    public CrontabSchedule ParseSchedule() =>
        CrontabSchedule.Parse(Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
}
