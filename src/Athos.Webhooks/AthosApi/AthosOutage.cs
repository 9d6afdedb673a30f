using System.Net;
using Polly;
using Polly.Timeout;

namespace Athos.Webhooks.AthosApi;

/// <summary>
/// What the circuit breaker counts: only failures that say "Athos (or the way to it) is down", never one that a single
/// call can cause. A detail that always answers 500 (a call Athos cannot render) is retried and reported for that call,
/// but must not open the breaker that the reconciler, backfill and every other fetch share.
/// </summary>
internal static class AthosOutage
{
    public static bool Indicates(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        // No answer at all: refused or dropped connections, and attempts cut off by the attempt timeout (stalled bodies too).
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result.StatusCode: HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout } => true,
        _ => false,
    };
}
