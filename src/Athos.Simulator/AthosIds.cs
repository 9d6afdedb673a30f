namespace Athos.Simulator;

/// <summary>
/// Athos's own ids for reps and agencies (<c>athos_agent_…</c>, <c>athos_agency_…</c>): opaque, stable per rep or
/// agency and per seed, and unlike the customer's <c>rep_1000</c>-style ids in every way a join could confuse.
/// </summary>
internal static class AthosIds
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string Agent(int seed, int rep) => Make("athos_agent_", 16, seed, "agent", rep);

    public static string Agency(int seed, int agency) => Make("athos_agency_", 12, seed, "agency", agency);

    private static string Make(string prefix, int length, int seed, string kind, int index)
    {
        // A private generator per id: the id depends on (seed, kind, index) only, never on how many calls came before.
        var random = new Random((int)(StableRandom.Unit(seed, kind, index) * int.MaxValue));
        return string.Create(prefix.Length + length, (prefix, random), static (span, state) =>
        {
            state.prefix.AsSpan().CopyTo(span);
            for (var i = state.prefix.Length; i < span.Length; i++)
            {
                span[i] = Alphabet[state.random.Next(Alphabet.Length)];
            }
        });
    }
}
