using Athos.Webhooks.Hosting;
using Athos.Webhooks.Reconciliation;
using NCrontab;

namespace Athos.Webhooks.Cli.Runner;

/// <summary>
/// The local runner's stand-in for a timer trigger: runs one of the <see cref="IScheduledJobs"/> (resolved afresh for
/// each run, as a trigger's function class is) on its six-field CRON schedule (not on start-up, as in Azure), giving each
/// run the occurrence it is for, as a timer trigger's schedule status does. Used for the reconciler,
/// the trailing rescan, housekeeping and the poison sweep. A run that throws is logged as
/// a failed occurrence and the next occurrence runs as usual, so the host never stops because of it: a failed reconcile
/// (<see cref="ReconcileFailedException"/>, as in Functions), already logged at Error by the run, as a warning (5103);
/// anything else at Error with its stack (5102). The run is given by the composition root (<see cref="LocalRunner"/>),
/// which resolves each occurrence's job in a fresh scope, as the Functions host does per invocation.
/// </summary>
internal sealed partial class CronScheduler(
    string name,
    Func<CrontabSchedule> schedule,
    Func<DateTimeOffset, CancellationToken, Task> run,
    TimeProvider time,
    ILogger<CronScheduler> logger) : BackgroundService
{
    /// <summary>What it runs (<c>reconcile</c>, <c>rescan</c>…), as its logs name it.</summary>
    public string Name => name;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var occurrences = schedule();
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var next = new DateTimeOffset(occurrences.GetNextOccurrence(now.UtcDateTime), TimeSpan.Zero);
            Log.Next(logger, name, next);
            try
            {
                await Task.Delay(next - now, time, stoppingToken);
                await run(next, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (ReconcileFailedException ex)
            {
                Log.RunFailed(logger, name, ex.Message);
            }
            catch (Exception ex)
            {
                Log.Failed(logger, ex, name);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5101, Level = LogLevel.Debug, Message = "Next {Job} at {Next:o}")]
        public static partial void Next(ILogger logger, string job, DateTimeOffset next);

        [LoggerMessage(EventId = 5102, Level = LogLevel.Error, Message = "{Job} failed; the next occurrence runs as usual")]
        public static partial void Failed(ILogger logger, Exception exception, string job);

        // The run has logged the failure at Error (4002) and recorded it: one Error per failure.
        [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "{Job} failed: {Reason}; the next occurrence runs as usual")]
        public static partial void RunFailed(ILogger logger, string job, string reason);
    }
}
