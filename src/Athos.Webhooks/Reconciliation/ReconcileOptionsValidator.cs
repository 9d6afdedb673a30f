using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Hosting;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Reconciliation;

/// <summary>Start-up checks of the reconciler settings, each message naming the setting to fix.</summary>
internal sealed class ReconcileOptionsValidator : IValidateOptions<ReconcileOptions>
{
    public ValidateOptionsResult Validate(string? name, ReconcileOptions options)
    {
        var failures = new List<string>();
        foreach (var (setting, expression, example) in new[]
        {
            (ReconcileOptions.ScheduleSetting, options.Schedule, ReconcileOptions.DefaultSchedule),
            (ReconcileOptions.RescanScheduleSetting, options.RescanSchedule, ReconcileOptions.DefaultRescanSchedule),
        })
        {
            if (TimerSchedule.TryParse(expression) is null)
            {
                failures.Add($"{setting} must be a six-field CRON expression (second minute hour day month weekday), such as '{example}'; got '{expression}'.");
            }
        }

        if (options.Overlap < TimeSpan.Zero || options.Overlap > TimeSpan.FromDays(7))
        {
            failures.Add($"{ReconcileOptions.OverlapSetting} must be between 00:00:00 and 7.00:00:00 (Athos advises 01:00:00); got {options.Overlap}.");
        }

        if (options.Lookback <= TimeSpan.Zero || options.Lookback > TimeSpan.FromDays(400))
        {
            failures.Add($"{ReconcileOptions.LookbackSetting} must be between 00:00:01 and 400.00:00:00; got {options.Lookback}. For older history, start a backfill.");
        }

        if (options.Parallelism is < 1 or > 64)
        {
            failures.Add($"{ReconcileOptions.ParallelismSetting} must be between 1 and 64; got {options.Parallelism}.");
        }

        var sources = ReconcileOptions.SplitSources(options.Sources).ToList();
        if (sources.Count == 0 || sources.Any(s => !CallSources.IsKnown(s)) || sources.Distinct(StringComparer.Ordinal).Count() != sources.Count)
        {
            failures.Add($"{ReconcileOptions.SourcesSetting} must list Athos call sources, comma-separated, each once: {string.Join(", ", CallSources.All)} (default '{string.Join(',', CallSources.All)}'); got '{options.Sources}'.");
        }

        if (options.RealCallMaxDuration < TimeSpan.Zero || options.RealCallMaxDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"{ReconcileOptions.RealCallMaxDurationSetting} must be between 00:00:00 and 1.00:00:00 (the longest real call you expect); got {options.RealCallMaxDuration}.");
        }

        if (options.RescanWindow < TimeSpan.FromHours(1) || options.RescanWindow > TimeSpan.FromDays(400))
        {
            failures.Add($"{ReconcileOptions.RescanWindowSetting} must be between 01:00:00 and 400.00:00:00 (Athos keeps recordings 30 days: 30.00:00:00); got {options.RescanWindow}.");
        }

        if (options.RunBudget < TimeSpan.FromSeconds(1) || options.RunBudget > TimeSpan.FromMinutes(9))
        {
            failures.Add($"{ReconcileOptions.RunBudgetSetting} must be between 00:00:01 and 00:09:00 (inside the 10-minute function timeout); got {options.RunBudget}.");
        }

        if (options.QueueDelay < TimeSpan.Zero || options.QueueDelay > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{ReconcileOptions.QueueDelaySetting} must be between 00:00:00 and 00:10:00; got {options.QueueDelay}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
