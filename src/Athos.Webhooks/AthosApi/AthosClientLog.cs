using Athos.Webhooks.Telemetry;

namespace Athos.Webhooks.AthosApi;

internal static partial class AthosClientLog
{
    [LoggerMessage(EventId = LogEvents.AthosRequestRetrying, Level = LogLevel.Warning, Message = "Athos request failed ({Status} {Exception}), retry {Attempt} in {Delay} (Athos request {AthosRequestId})")]
    public static partial void Retrying(ILogger logger, int attempt, TimeSpan delay, int? status, string? athosRequestId, string? exception);

    [LoggerMessage(EventId = LogEvents.AthosWaitBeyondBudget, Level = LogLevel.Warning, Message = "Athos answered {Status} asking to wait {RetryAfter}, more than the {Remaining} left of this request's budget allows; not retrying here, the delay goes to the caller to re-schedule the work (Athos request {AthosRequestId})")]
    public static partial void WaitBeyondBudget(ILogger logger, int status, TimeSpan retryAfter, TimeSpan remaining, string? athosRequestId);
}
