using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Storage;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Cli.Runner;

/// <summary>
/// The local runner's stand-in for the timer trigger: runs the reconciler on <c>ATHOS_RECONCILE_SCHEDULE</c> (not on
/// start-up, as in Azure). The reconciler takes the same lease in both hosts, so they never overlap.
/// </summary>
internal sealed partial class ReconcileScheduler(
    IServiceScopeFactory scopes,
    IOptions<ReconcileOptions> options,
    TimeProvider time,
    ILogger<ReconcileScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schedule = options.Value.ParseSchedule();
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var next = new DateTimeOffset(schedule.GetNextOccurrence(now.UtcDateTime), TimeSpan.Zero);
            Log.Next(logger, next);
            try
            {
                await Task.Delay(next - now, time, stoppingToken);
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<Reconciler>().RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex.IsStorageFailure())
            {
                Log.Failed(logger, ex);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5101, Level = LogLevel.Debug, Message = "Next reconcile at {Next:o}")]
        public static partial void Next(ILogger logger, DateTimeOffset next);

        [LoggerMessage(EventId = 5102, Level = LogLevel.Error, Message = "Reconcile could not run (storage unavailable); trying again at the next occurrence")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
