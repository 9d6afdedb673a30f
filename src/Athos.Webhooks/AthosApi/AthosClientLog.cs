using Microsoft.Extensions.Logging;

namespace Athos.Webhooks.AthosApi;

internal static partial class AthosClientLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Athos request failed ({Status} {Exception}), retry {Attempt} in {Delay} (Athos request {AthosRequestId})")]
    public static partial void Retrying(ILogger logger, int attempt, TimeSpan delay, int? status, string? athosRequestId, string? exception);
}
