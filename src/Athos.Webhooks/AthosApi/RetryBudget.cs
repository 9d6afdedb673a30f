namespace Athos.Webhooks.AthosApi;

/// <summary>
/// What is left of one request's total budget (<see cref="AthosApiOptions.TotalTimeout"/>), and whether a wait that
/// Athos asks for (<c>Retry-After</c>) fits in it. A wait that does not fit is not slept on: sleeping would only end in
/// the total timeout, an attempt spent and the delay forgotten. The client gives up at once instead and hands the delay
/// to the caller (<see cref="AthosApiException.RetryAfter"/>), which re-schedules the work that far ahead.
/// </summary>
internal static class RetryBudget
{
    private static readonly HttpRequestOptionsKey<long> FirstAttempt = new("Athos.Webhooks.FirstAttempt");

    /// <summary>Notes when the first attempt of <paramref name="request"/> started; later attempts keep that time.</summary>
    public static void MarkFirstAttempt(HttpRequestMessage request, TimeProvider time)
    {
        if (!request.Options.TryGetValue(FirstAttempt, out _))
        {
            request.Options.Set(FirstAttempt, time.GetTimestamp());
        }
    }

    /// <summary>
    /// The part of the total budget left for <paramref name="request"/> (its first attempt started the clock), or the
    /// whole budget when no attempt has been made.
    /// </summary>
    public static TimeSpan Remaining(HttpRequestMessage? request, AthosApiOptions options, TimeProvider time) =>
        request is not null && request.Options.TryGetValue(FirstAttempt, out var start)
            ? options.TotalTimeout - time.GetElapsedTime(start)
            : options.TotalTimeout;

    /// <summary>
    /// Whether waiting <paramref name="delay"/> still leaves room for one whole attempt
    /// (<see cref="AthosApiOptions.AttemptTimeout"/>) within <paramref name="remaining"/>.
    /// </summary>
    public static bool Allows(TimeSpan delay, TimeSpan remaining, AthosApiOptions options) =>
        delay + options.AttemptTimeout <= remaining;
}
