using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Settings;
using Microsoft.Extensions.Configuration;
using NCrontab;

namespace Athos.Webhooks.Reconciliation;

/// <summary>When and how far back the reconciler and the rescan look, and at which of Athos's call sources.</summary>
internal sealed class ReconcileOptions
{
    public const string ScheduleSetting = "ATHOS_RECONCILE_SCHEDULE";
    public const string OverlapSetting = "ATHOS_RECONCILE_OVERLAP";
    public const string LookbackSetting = "ATHOS_RECONCILE_LOOKBACK";
    public const string ParallelismSetting = "ATHOS_RECONCILE_PARALLELISM";
    public const string SourcesSetting = "ATHOS_SOURCES";
    public const string RealCallMaxDurationSetting = "ATHOS_RECONCILE_REAL_CALL_MAX_DURATION";
    public const string RescanScheduleSetting = "ATHOS_RECONCILE_RESCAN_SCHEDULE";
    public const string RescanWindowSetting = "ATHOS_RECONCILE_RESCAN_WINDOW";
    public const string RunBudgetSetting = "ATHOS_RECONCILE_RUN_BUDGET";
    public const string QueueDelaySetting = "ATHOS_RECONCILE_QUEUE_DELAY";

    /// <summary>Every ten minutes, on the minute.</summary>
    public const string DefaultSchedule = "0 */10 * * * *";

    /// <summary>Daily at 03:30 UTC.</summary>
    public const string DefaultRescanSchedule = "0 30 3 * * *";

    /// <summary>
    /// Six-field CRON (seconds first), as the Functions timer trigger reads it. Required in a deployment: the Functions
    /// host resolves <c>%ATHOS_RECONCILE_SCHEDULE%</c> itself, before any of this code runs.
    /// </summary>
    [RequiredSetting]
    [SixFieldCron(DefaultSchedule)]
    [ConfigurationKeyName(ScheduleSetting)]
    public string Schedule { get; set; } = DefaultSchedule;

    /// <summary>
    /// How far before the last successful run a run starts listing: a call appears in the list only once scored,
    /// some time after it ended, so each window re-scans the end of the previous one (Athos advises an hour).
    /// </summary>
    [SettingRange("00:00:00", "7.00:00:00", Requirement = "between 00:00:00 and 7.00:00:00 (Athos advises 01:00:00)")]
    [ConfigurationKeyName(OverlapSetting)]
    public TimeSpan Overlap { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How far back the very first run lists (there is no watermark yet).</summary>
    [SettingRange("00:00:01", "400.00:00:00", Requirement = "between 00:00:01 and 400.00:00:00 (for older history, start a backfill)")]
    [ConfigurationKeyName(LookbackSetting)]
    public TimeSpan Lookback { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How many point reads of <c>AthosCalls</c> run at once.</summary>
    [SettingRange(1, 64)]
    [ConfigurationKeyName(ParallelismSetting)]
    public int Parallelism { get; set; } = 16;

    /// <summary>
    /// The call sources to reconcile, comma-separated (<c>roleplay</c>, <c>real_call</c>). <c>real_call</c> is listed
    /// only once Athos has shown that the tenant is on the current contract (the early one has roleplay calls only).
    /// </summary>
    [CallSourceList]
    [ConfigurationKeyName(SourcesSetting)]
    public string Sources { get; set; } = string.Join(',', CallSources.All);

    /// <summary>
    /// The longest real call expected. Real calls are listed by <c>startedAt</c>, so their window starts this much
    /// earlier (Athos's advice: overlap by an hour plus the longest real call).
    /// </summary>
    [SettingRange("00:00:00", "1.00:00:00", Requirement = "between 00:00:00 and 1.00:00:00 (the longest real call you expect)")]
    [ConfigurationKeyName(RealCallMaxDurationSetting)]
    public TimeSpan RealCallMaxDuration { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// Six-field CRON of the trailing rescan, which re-reads <see cref="RescanWindow"/> for changes that come without a
    /// webhook (a real call re-dispositioned days later) and retries recordings not yet copied. Required in a deployment,
    /// like <see cref="Schedule"/>.
    /// </summary>
    [RequiredSetting]
    [SixFieldCron(DefaultRescanSchedule)]
    [ConfigurationKeyName(RescanScheduleSetting)]
    public string RescanSchedule { get; set; } = DefaultRescanSchedule;

    /// <summary>How far back the rescan reads: by default the 30 days in which Athos keeps recordings.</summary>
    [SettingRange("01:00:00", "400.00:00:00", Requirement = "between 01:00:00 and 400.00:00:00 (Athos keeps recordings 30 days: 30.00:00:00)")]
    [ConfigurationKeyName(RescanWindowSetting)]
    public TimeSpan RescanWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long one run may take before it stops starting new chunks of its window (it saves its progress after each
    /// one, and the next run carries on): well inside the Functions timeout (host.json: 10 minutes), so that a run over
    /// a window of days after an outage makes progress instead of being killed and starting over.
    /// </summary>
    [SettingRange("00:00:01", "00:09:00", Requirement = "between 00:00:01 and 00:09:00 (inside the 10-minute function timeout)")]
    [ConfigurationKeyName(RunBudgetSetting)]
    public TimeSpan RunBudget { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a call the reconciler, a backfill or the rescan queues stays invisible first, so that a webhook for
    /// the same call that is already on the queue is processed first: the listed item then finds the call stored and
    /// asks Athos for nothing. A dropped webhook is recovered this much later, which costs nothing that matters.
    /// </summary>
    [SettingRange("00:00:00", "00:10:00")]
    [ConfigurationKeyName(QueueDelaySetting)]
    public TimeSpan QueueDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The sources to cover, in listing order (roleplay first); validated at start-up.</summary>
    public IReadOnlyList<string> SourceList() =>
        [.. CallSources.All.Where(source => SplitSources(Sources).Contains(source, StringComparer.Ordinal))];

    /// <summary>The schedule, parsed (validated at start-up).</summary>
    public CrontabSchedule ParseSchedule() => TimerSchedule.Parse(Schedule);

    /// <summary>The rescan's schedule, parsed (validated at start-up).</summary>
    public CrontabSchedule ParseRescanSchedule() => TimerSchedule.Parse(RescanSchedule);

    internal static IEnumerable<string> SplitSources(string? sources) =>
        (sources ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
