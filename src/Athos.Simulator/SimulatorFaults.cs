using System.Globalization;

namespace Athos.Simulator;

/// <summary>Which Athos endpoint a request is for.</summary>
public enum ApiOperation
{
    List,
    Detail,

    /// <summary>A <c>GET</c> of a signed recording link (a valid one: refused links never reach fault injection).</summary>
    Recording,

    /// <summary>A page of <c>GET /agents</c>, the roster.</summary>
    Agents,
}

/// <summary>What a fault rule sees of an API request.</summary>
/// <param name="Operation">List, detail or recording.</param>
/// <param name="CallId">The detail's or the recording's call id.</param>
/// <param name="Page">The list page number (1 for the first page).</param>
/// <param name="Attempt">How many times this same request has been made, this one included.</param>
public sealed record ApiRequestInfo(ApiOperation Operation, string? CallId, int Page, int Attempt);

/// <summary>An injected answer: an error envelope with a status and code, and optionally a <c>Retry-After</c>.</summary>
/// <param name="RetryAfterAsDate">Send <c>Retry-After</c> as an HTTP date rather than in seconds.</param>
public sealed record FaultResponse(int Status, string ErrorCode, TimeSpan? RetryAfter = null, bool RetryAfterAsDate = false)
{
    public static FaultResponse InternalError { get; } = new(500, "INTERNAL_ERROR");

    public static FaultResponse ServiceUnavailable { get; } = new(503, "SERVICE_UNAVAILABLE");

    public static FaultResponse Throttled(TimeSpan retryAfter) => new(429, "RATE_LIMITED", retryAfter);

    /// <summary>The <c>Retry-After</c> value to send at <paramref name="now"/>, if any: seconds, or an HTTP date.</summary>
    internal string? RetryAfterHeader(DateTimeOffset now) => RetryAfter switch
    {
        null => null,
        { } after when RetryAfterAsDate => (now + after).ToString("R", CultureInfo.InvariantCulture),
        { } after => ((int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// Fault injection. Rates are decided per request from the seed, the request and its attempt number, so a run
/// with the same seed injects the same faults whatever the timing; rules are scripted by tests.
/// </summary>
public sealed class SimulatorFaults(int seed)
{
    private readonly Lock _gate = new();
    private readonly List<Rule> _rules = [];

    /// <summary>The share of API and recording requests answered 500 or 503 (alternately).</summary>
    public double ServerErrorRate { get; set; }

    /// <summary>The share of API and recording requests answered 429 with <see cref="ThrottleRetryAfter"/>.</summary>
    public double ThrottleRate { get; set; }

    public TimeSpan ThrottleRetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Added to every API and recording answer (a slow Athos).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>The share of API requests delayed by a further <see cref="SlowLatency"/>.</summary>
    public double SlowRate { get; set; }

    public TimeSpan SlowLatency { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The share of webhooks never sent (neither the delivery nor its retry).</summary>
    public double WebhookDropRate { get; set; }

    /// <summary>How fast the recording host sends a recording's bytes (0: as fast as it can): a slow host.</summary>
    public long RecordingBytesPerSecond { get; set; }

    /// <summary>The share of webhooks sent twice.</summary>
    public double WebhookDuplicateRate { get; set; }

    /// <summary>Answers requests that match with <paramref name="response"/>, <paramref name="times"/> times (or always).</summary>
    public void Add(Func<ApiRequestInfo, bool> match, FaultResponse response, int? times = null)
    {
        lock (_gate)
        {
            _rules.Add(new Rule(match, response, times));
        }
    }

    /// <summary>The next <paramref name="times"/> API requests, of any kind, are answered with <paramref name="response"/>.</summary>
    public void FailNext(int times, FaultResponse response) => Add(_ => true, response, times);

    /// <summary>Removes every rule and zeroes every rate.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }

        ServerErrorRate = ThrottleRate = SlowRate = WebhookDropRate = WebhookDuplicateRate = 0;
        Latency = TimeSpan.Zero;
    }

    internal FaultResponse? Decide(ApiRequestInfo request, string requestKey)
    {
        lock (_gate)
        {
            foreach (var rule in _rules)
            {
                if (rule.Remaining != 0 && rule.Match(request))
                {
                    if (rule.Remaining > 0)
                    {
                        rule.Remaining--;
                    }

                    return rule.Response;
                }
            }
        }

        var roll = StableRandom.Unit(seed, requestKey, request.Attempt);
        if (roll < ServerErrorRate)
        {
            return request.Attempt % 2 == 0 ? FaultResponse.ServiceUnavailable : FaultResponse.InternalError;
        }

        return roll < ServerErrorRate + ThrottleRate ? FaultResponse.Throttled(ThrottleRetryAfter) : null;
    }

    /// <summary>Delays the request as <see cref="Latency"/> and <see cref="SlowRate"/> say, then decides whether to fault it.</summary>
    internal async Task<FaultResponse?> InjectAsync(ApiRequestInfo request, string requestKey, TimeProvider time, CancellationToken cancellationToken)
    {
        var delay = DelayFor(requestKey, request.Attempt);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time, cancellationToken);
        }

        return Decide(request, requestKey);
    }

    internal TimeSpan DelayFor(string requestKey, int attempt) =>
        Latency + (StableRandom.Unit(seed ^ 0x5eed, requestKey, attempt) < SlowRate ? SlowLatency : TimeSpan.Zero);

    internal bool ShouldDrop(string webhookId) => StableRandom.Unit(seed, webhookId, -1) < WebhookDropRate;

    internal bool ShouldDuplicate(string webhookId) => StableRandom.Unit(seed, webhookId, -2) < WebhookDuplicateRate;

    private sealed class Rule(Func<ApiRequestInfo, bool> match, FaultResponse response, int? times)
    {
        public Func<ApiRequestInfo, bool> Match { get; } = match;

        public FaultResponse Response { get; } = response;

        /// <summary>-1 for "always".</summary>
        public int Remaining { get; set; } = times ?? -1;
    }
}

/// <summary>A uniform number in [0, 1) from (seed, key, salt): the same inputs always give the same number.</summary>
internal static class StableRandom
{
    public static double Unit(int seed, string key, int salt)
    {
        // FNV-1a, then a SplitMix64 finaliser to spread the bits.
        var hash = 14695981039346656037UL ^ (ulong)(uint)seed;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash = (hash ^ (ulong)(uint)salt) * 1099511628211UL;
        hash ^= hash >> 30;
        hash *= 0xbf58476d1ce4e5b9UL;
        hash ^= hash >> 27;
        hash *= 0x94d049bb133111ebUL;
        hash ^= hash >> 31;
        return (hash >> 11) * (1.0 / (1UL << 53));
    }
}
