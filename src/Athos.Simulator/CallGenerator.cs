using System.Globalization;
using System.Text.Json;

namespace Athos.Simulator;

/// <summary>
/// Makes realistic calls from a seed: the same seed gives the same calls, reps, scores and transcripts. Under the
/// early contract it gives exactly the calls it gave before the later contract existed; under the later one it adds
/// real calls, unregistered reps, recordings and compliance scorecards.
/// </summary>
public sealed class CallGenerator(int seed)
{
    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    private const string ComplianceDrill = "ma-full-sale";

    private static readonly string[] Drills = [ComplianceDrill, ComplianceDrill, ComplianceDrill, "ma-objection-handling", "ma-soa-compliance"];

    // Athos assesses compliance on enrollment drills only once they run this long.
    private static readonly TimeSpan ComplianceDrillMinimum = TimeSpan.FromMinutes(5);

    // The early contract's draws, in their original order: a seed keeps giving the same early calls and webhook ids.
    private readonly Random _random = new(seed);

    // Everything only the later contract has is drawn from here, so it never shifts the draws above.
    private readonly Random _later = new(unchecked(seed ^ 0x4c415445));
    private readonly Lock _gate = new();
    private string[]? _agentIds;
    private string[]? _agencyIds;

    /// <summary>Reps are <c>rep_1000</c>…; each belongs to one of a handful of agencies.</summary>
    public int RepCount { get; init; } = 40;

    public int AgencyCount { get; init; } = 6;

    /// <summary>The share of calls whose scoring fails (Athos sends <c>SCORING_INCOMPLETE</c>).</summary>
    public double FailureRate { get; init; } = 0.03;

    /// <summary>Which contract's calls to make (see <see cref="AthosContract"/>).</summary>
    public AthosContract Contract { get; init; } = AthosContract.Early;

    /// <summary>The share of <c>real_call</c> calls under <see cref="AthosContract.Current"/>; unused under the early one.</summary>
    public double RealCallRate { get; init; } = 0.3;

    /// <summary>The share of calls Athos has a recording of, under <see cref="AthosContract.Current"/>.</summary>
    public double RecordingRate { get; init; } = 0.9;

    /// <summary>Recordings are small by default (20–200 KB) so tests stay fast; a test wanting a large one sets <see cref="SimulatedCall.RecordingBytes"/>.</summary>
    public long MinRecordingBytes { get; init; } = 20_000;

    public long MaxRecordingBytes { get; init; } = 200_000;

    /// <summary>Athos's ids of every rep of the tenant (index = rep number), whether or not they have calls yet.</summary>
    public IReadOnlyList<string> AgentIds => _agentIds ??= [.. Enumerable.Range(0, RepCount).Select(rep => AthosIds.Agent(seed, rep))];

    /// <summary>Athos's ids of every agency of the tenant.</summary>
    public IReadOnlyList<string> AgencyIds => _agencyIds ??= [.. Enumerable.Range(0, AgencySlots).Select(agency => AthosIds.Agency(seed, agency))];

    private int AgencySlots => Math.Min(AgencyCount, SalesPhrases.Agencies.Length);

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
            var rescored = call with
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

            if (Contract == AthosContract.Early)
            {
                return rescored;
            }

            return rescored with
            {
                OverallScore = call.IsRealCall ? NextRealCallScore() : overall,
                ComplianceScorecard = IsAssessedDrill(call) ? ComplianceScorecards.Create(_later, realCall: false) : call.ComplianceScorecard,
            };
        }
    }

    /// <summary>
    /// A real call re-dispositioned by the agency's dialer at <paramref name="scoredAt"/> (a sale became a callback, or
    /// the reverse): a different score, possibly a changed or removed compliance scorecard, a later <c>scoredAt</c> and
    /// <c>updatedAt</c>. Athos sends no webhook for it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The call is not a scored real call.</exception>
    public SimulatedCall Redisposition(SimulatedCall call, DateTimeOffset scoredAt)
    {
        if (!call.IsRealCall || call.State != CallState.Scored)
        {
            throw new InvalidOperationException($"Only a scored real call is re-dispositioned; {call.Id} is a {call.State} {call.Source} call.");
        }

        scoredAt = Truncate(scoredAt);
        lock (_gate)
        {
            double overall;
            do
            {
                overall = NextRealCallScore();
            }
            while (overall.Equals(call.OverallScore));

            // A scorecard exists for sales: a sale that fell through loses it, a callback that became a sale gains one.
            JsonElement? scorecard = call.ComplianceScorecard is null
                ? (_later.NextDouble() < 0.5 ? ComplianceScorecards.Create(_later, realCall: true) : null)
                : (_later.NextDouble() < 0.5 ? null : ComplianceScorecards.Create(_later, realCall: true));
            return call with
            {
                ScoredAt = scoredAt,
                UpdatedAt = scoredAt + TimeSpan.FromMilliseconds(100),
                OverallScore = overall,
                ComplianceScorecard = scorecard,
                Summary = SalesPhrases.Summaries[_later.Next(SalesPhrases.Summaries.Length)],
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
            AgentId = AgentIds[rep],
            AgencyId = AgencyIds[rep % AgencySlots],
            ExternalUserId = string.Create(CultureInfo.InvariantCulture, $"rep_{1000 + rep}"),
            // Agencies are stable per rep, and a few reps have none.
            ExternalAgencyId = rep % 11 == 10 ? null : SalesPhrases.Agencies[rep % AgencySlots],
            DrillKey = Pick(Drills),
            StartedAt = Truncate(startedAt),
            EndedAt = Truncate(endedAt),
            CreatedAt = Truncate(startedAt + TimeSpan.FromSeconds(2)),
            UpdatedAt = Truncate(scoredAt + TimeSpan.FromMilliseconds(95)),
            TranscriptSeed = _random.Next(),
            RecordingSeed = _later.Next(),
        };

        if (failed)
        {
            call = call with
            {
                State = CallState.Failed,
                FailureReason = "SCORING_INCOMPLETE",
                FailureMessage = "The call ended before enough of the conversation could be scored.",
                UpdatedAt = Truncate(scoredAt),
            };
        }
        else
        {
            call = call with
            {
                ScoredAt = Truncate(scoredAt),
                OverallScore = Math.Round(35 + (_random.NextDouble() * 63), 1),
                Summary = Pick(SalesPhrases.Summaries),
                Feedback = Pick(SalesPhrases.Feedback),
            };
        }

        return Contract == AthosContract.Current ? WithLaterTraits(call, rep) : call;
    }

    /// <summary>The later contract's traits of a call drawn above: its source, registration, recording and scoring.</summary>
    private SimulatedCall WithLaterTraits(SimulatedCall call, int rep)
    {
        if (_later.NextDouble() < RealCallRate)
        {
            // Real calls run longer than drills, and reach Athos only after they end.
            var duration = TimeSpan.FromSeconds(_later.Next(60, 2400));
            call = call with
            {
                Source = SimulatedCall.RealCallSource,
                DrillKey = null,
                StartedAt = call.EndedAt - duration,
                CreatedAt = call.EndedAt + TimeSpan.FromSeconds(_later.Next(1, 10)),
            };
        }

        // Some reps were never registered by the customer: Athos knows them by its own id only.
        if (rep % 9 == 8)
        {
            call = call with { ExternalUserId = null };
        }

        call = call with
        {
            RecordingBytes = _later.NextDouble() < RecordingRate ? _later.NextInt64(MinRecordingBytes, MaxRecordingBytes + 1) : null,
        };

        if (call.State == CallState.Failed)
        {
            return call with { WebhookOmitsPlatformIds = _later.NextDouble() < 0.35 };
        }

        var endedInSale = _later.NextDouble() < 0.4;
        return call with
        {
            OverallScore = call.IsRealCall ? NextRealCallScore() : call.OverallScore,
            ComplianceScorecard = IsAssessedDrill(call) || (call.IsRealCall && endedInSale)
                ? ComplianceScorecards.Create(_later, call.IsRealCall)
                : null,
            Summary = _later.NextDouble() < 0.05 ? string.Empty : call.Summary,
            Feedback = _later.NextDouble() < 0.05 ? string.Empty : call.Feedback,
        };
    }

    /// <summary>Real calls score 60–100, or exactly 0 when no headline score could be produced.</summary>
    private double NextRealCallScore() =>
        _later.NextDouble() < 0.06 ? 0 : Math.Round(60 + (_later.NextDouble() * 40), 1);

    private static bool IsAssessedDrill(SimulatedCall call) =>
        !call.IsRealCall && call.DrillKey == ComplianceDrill && call.EndedAt - call.StartedAt >= ComplianceDrillMinimum;

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

    /// <summary>
    /// The transcript of a call: its explicit one, or one generated from its seed (20–80 turns). Under the early
    /// contract the rep is <c>user</c> and the prospect <c>assistant</c>; under the later one they are <c>agent</c> and
    /// <c>beneficiary</c>, and a real call's turns carry start and end times spread over the call's duration.
    /// </summary>
    public static IReadOnlyList<TranscriptTurn> TranscriptOf(SimulatedCall call, AthosContract contract = AthosContract.Early)
    {
        if (call.Transcript is not null)
        {
            return call.Transcript;
        }

        var later = contract == AthosContract.Current;
        var random = new Random(call.TranscriptSeed);
        var turns = new TranscriptTurn[random.Next(20, 81)];
        var starts = new double[turns.Length + 1];
        for (var i = 0; i < turns.Length; i++)
        {
            // The rep opens; the prospect answers.
            var rep = i % 2 == 0;
            var bank = rep ? SalesPhrases.RepLines : SalesPhrases.ProspectLines;
            var content = bank[random.Next(bank.Length)];
            if (random.Next(3) == 0)
            {
                content += " " + bank[random.Next(bank.Length)];
            }

            var role = (rep, later) switch
            {
                (true, false) => "user",
                (false, false) => "assistant",
                (true, true) => "agent",
                (false, true) => "beneficiary",
            };
            turns[i] = new TranscriptTurn(role, content, Math.Round(starts[i], 1));
            starts[i + 1] = starts[i] + 3 + (random.NextDouble() * 12);
        }

        if (later && call.IsRealCall)
        {
            // A real call's turns fill its recording: each ends shortly before the next begins.
            var scale = Math.Max(call.DurationSec, 1) / starts[^1];
            for (var i = 0; i < turns.Length; i++)
            {
                var start = starts[i] * scale;
                var end = start + ((starts[i + 1] - starts[i]) * scale * 0.9);
                turns[i] = turns[i] with { StartSec = Math.Round(start, 2), EndSec = Math.Round(end, 2) };
            }
        }

        return turns;
    }
}
