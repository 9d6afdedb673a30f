using Microsoft.Extensions.Options;
using NCrontab;

namespace Athos.Webhooks.Reconciliation;

/// <summary>Start-up checks of the reconciler settings, each message naming the setting to fix.</summary>
internal sealed class ReconcileOptionsValidator : IValidateOptions<ReconcileOptions>
{
    public ValidateOptionsResult Validate(string? name, ReconcileOptions options)
    {
        var failures = new List<string>();
        if (CrontabSchedule.TryParse(options.Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
        {
            failures.Add($"{ReconcileOptions.ScheduleSetting} must be a six-field CRON expression (second minute hour day month weekday), such as '{ReconcileOptions.DefaultSchedule}'; got '{options.Schedule}'.");
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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
