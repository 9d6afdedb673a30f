namespace Athos.Webhooks.AthosApi;

/// <summary>Reads an HTTP <c>Retry-After</c> header in either of its forms (delay in seconds, or an HTTP date).</summary>
internal static class RetryAfter
{
    public static bool TryGetDelay(HttpResponseMessage response, DateTimeOffset now, out TimeSpan delay)
    {
        switch (response.Headers.RetryAfter)
        {
            case { Delta: { } delta }:
                delay = delta;
                return true;
            case { Date: { } date }:
                // A date in the past means "now".
                delay = date > now ? date - now : TimeSpan.Zero;
                return true;
            default:
                delay = default;
                return false;
        }
    }
}
