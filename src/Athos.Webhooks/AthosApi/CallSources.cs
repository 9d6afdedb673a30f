namespace Athos.Webhooks.AthosApi;

/// <summary>Athos's call sources and the time axis each one's list is bounded and ordered by.</summary>
public static class CallSources
{
    /// <summary>Practice calls with an AI persona (both contracts).</summary>
    public const string Roleplay = "roleplay";

    /// <summary>Real calls from an agency's dialer (current contract only).</summary>
    public const string RealCall = "real_call";

    /// <summary>Every source this build knows, in the order a reconcile lists them (roleplay first: it tells the contract).</summary>
    public static IReadOnlyList<string> All { get; } = [Roleplay, RealCall];

    public static bool IsKnown(string? source) => source is Roleplay or RealCall;

    /// <summary>
    /// The list bounds and orders roleplay calls by <c>endedAt</c> and real calls by <c>startedAt</c>; an unknown
    /// source is treated like roleplay (the early contract's only axis).
    /// </summary>
    public static DateTimeOffset? ListTime(string? source, DateTimeOffset? startedAt, DateTimeOffset? endedAt) =>
        source == RealCall ? startedAt : endedAt;
}
