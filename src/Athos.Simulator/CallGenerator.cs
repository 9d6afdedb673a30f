using System.Globalization;

namespace Athos.Simulator;

/// <summary>
/// Makes realistic calls from a seed: the same seed gives the same calls, reps, scores and transcripts.
/// </summary>
public sealed class CallGenerator(int seed)
{
    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

    private static readonly string[] Drills = ["ma-full-sale", "ma-full-sale", "ma-full-sale", "ma-objection-handling", "ma-soa-compliance"];

    private readonly Random _random = new(seed);
    private readonly Lock _gate = new();

    /// <summary>Reps are <c>rep_1000</c>…; each belongs to one of a handful of agencies.</summary>
    public int RepCount { get; init; } = 40;

    public int AgencyCount { get; init; } = 6;

    /// <summary>The share of calls whose scoring fails (Athos sends <c>SCORING_INCOMPLETE</c>).</summary>
    public double FailureRate { get; init; } = 0.03;

    /// <summary>
    /// <paramref name="count"/> calls whose <c>endedAt</c> is spread over [<paramref name="from"/>, <paramref name="to"/>].
    /// </summary>
    public IReadOnlyList<SimulatedCall> Generate(int count, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (to < from)
        {
            throw new ArgumentException("to must not be before from.", nameof(to));
        }

        var span = (to - from).Ticks;
        var calls = new SimulatedCall[count];
        for (var i = 0; i < count; i++)
        {
            lock (_gate)
            {
                var endedAt = from + TimeSpan.FromTicks((long)(_random.NextDouble() * span));
                calls[i] = NextCall(endedAt);
            }
        }

        return calls;
    }

    /// <summary>One call that ended at <paramref name="endedAt"/>.</summary>
    public SimulatedCall Generate(DateTimeOffset endedAt)
    {
        lock (_gate)
        {
            return NextCall(endedAt);
        }
    }

    /// <summary>A new score for a call, as Athos's rescoring would produce, at <paramref name="scoredAt"/>.</summary>
    public SimulatedCall Rescore(SimulatedCall call, DateTimeOffset scoredAt)
    {
        scoredAt = Truncate(scoredAt);
        lock (_gate)
        {
            var overall = Math.Round(35 + (_random.NextDouble() * 63), 1);
            return call with
            {
                State = CallState.Scored,
                ScoredAt = scoredAt,
                UpdatedAt = scoredAt + TimeSpan.FromMilliseconds(100),
                OverallScore = overall,
                Summary = Pick(SalesPhrases.Summaries),
                Feedback = Pick(SalesPhrases.Feedback),
                FailureReason = null,
                FailureMessage = null,
            };
        }
    }

    /// <summary>A fresh, well-formed call id.</summary>
    public string NewCallId()
    {
        lock (_gate)
        {
            return NextId("athos_call_", 21);
        }
    }

    internal string NewWebhookId()
    {
        lock (_gate)
        {
            return NextId("wh_", 24);
        }
    }

    private SimulatedCall NextCall(DateTimeOffset endedAt)
    {
        var rep = _random.Next(RepCount);
        var duration = TimeSpan.FromSeconds(_random.Next(45, 900));
        var startedAt = endedAt - duration;
        var failed = _random.NextDouble() < FailureRate;
        var scoredAt = endedAt + TimeSpan.FromSeconds(_random.Next(15, 120)) + TimeSpan.FromMilliseconds(_random.Next(1000));
        var call = new SimulatedCall
        {
            Id = NextId("athos_call_", 21),
            ExternalUserId = string.Create(CultureInfo.InvariantCulture, $"rep_{1000 + rep}"),
            // Agencies are stable per rep, and a few reps have none.
            ExternalAgencyId = rep % 11 == 10 ? null : SalesPhrases.Agencies[rep % Math.Min(AgencyCount, SalesPhrases.Agencies.Length)],
            DrillKey = Pick(Drills),
            StartedAt = Truncate(startedAt),
            EndedAt = Truncate(endedAt),
            CreatedAt = Truncate(startedAt + TimeSpan.FromSeconds(2)),
            UpdatedAt = Truncate(scoredAt + TimeSpan.FromMilliseconds(95)),
            TranscriptSeed = _random.Next(),
        };

        if (failed)
        {
            return call with
            {
                State = CallState.Failed,
                FailureReason = "SCORING_INCOMPLETE",
                FailureMessage = "The call ended before enough of the conversation could be scored.",
                UpdatedAt = Truncate(scoredAt),
            };
        }

        return call with
        {
            ScoredAt = Truncate(scoredAt),
            OverallScore = Math.Round(35 + (_random.NextDouble() * 63), 1),
            Summary = Pick(SalesPhrases.Summaries),
            Feedback = Pick(SalesPhrases.Feedback),
        };
    }

    private string NextId(string prefix, int length) =>
        string.Create(prefix.Length + length, (prefix, _random), static (span, state) =>
        {
            state.prefix.AsSpan().CopyTo(span);
            for (var i = state.prefix.Length; i < span.Length; i++)
            {
                span[i] = IdAlphabet[state._random.Next(IdAlphabet.Length)];
            }
        });

    private string Pick(string[] items) => items[_random.Next(items.Length)];

    // Athos timestamps have millisecond precision.
    private static DateTimeOffset Truncate(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    /// <summary>The transcript of a call: its explicit one, or one generated from its seed (20–80 turns).</summary>
    public static IReadOnlyList<TranscriptTurn> TranscriptOf(SimulatedCall call)
    {
        if (call.Transcript is not null)
        {
            return call.Transcript;
        }

        var random = new Random(call.TranscriptSeed);
        var turns = new TranscriptTurn[random.Next(20, 81)];
        var clock = 0.0;
        for (var i = 0; i < turns.Length; i++)
        {
            // The rep ("user") opens; the AI prospect ("assistant") answers.
            var rep = i % 2 == 0;
            var bank = rep ? SalesPhrases.RepLines : SalesPhrases.ProspectLines;
            var content = bank[random.Next(bank.Length)];
            if (random.Next(3) == 0)
            {
                content += " " + bank[random.Next(bank.Length)];
            }

            turns[i] = new TranscriptTurn(rep ? "user" : "assistant", content, Math.Round(clock, 1));
            clock += 3 + (random.NextDouble() * 12);
        }

        return turns;
    }
}
