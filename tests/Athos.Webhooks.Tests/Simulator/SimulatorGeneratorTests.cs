using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Athos.Simulator;

namespace Athos.Webhooks.Tests.Simulator;

/// <summary>Seeded generation: the early contract's calls exactly as before, the later contract's traits, and determinism.</summary>
public sealed class SimulatorGeneratorTests
{
    private static readonly DateTimeOffset From = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_early_generator_gives_exactly_the_calls_it_gave_before_the_later_contract_existed()
    {
        // The hash was taken from the generator as it was before it knew the later contract (commit 1e311bd).
        var generator = new CallGenerator(99);
        var calls = generator.Generate(50, From, From.AddDays(1));
        var text = string.Join("\n", calls.Select(c => string.Create(CultureInfo.InvariantCulture,
            $"{c.Id}|{c.ExternalUserId}|{c.ExternalAgencyId}|{c.DrillKey}|{c.StartedAt:O}|{c.EndedAt:O}|{c.State}|{c.ScoredAt:O}|{c.OverallScore}|{c.Summary}|{c.Feedback}|{c.TranscriptSeed}|{c.CreatedAt:O}|{c.UpdatedAt:O}")));
        var rescored = generator.Rescore(calls[0], From.AddDays(2));
        text += string.Create(CultureInfo.InvariantCulture, $"\n{rescored.OverallScore}|{rescored.Summary}|{rescored.Feedback}|{generator.NewCallId()}");
        text += "\n" + string.Join("\n", CallGenerator.TranscriptOf(calls[0]).Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Role}|{t.Content}|{t.StartSec}")));

        Assert.Equal("a4ddb832442e3505b253f79bddc85095f7cec1101a0daae6a423901cf7e95d85", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))));
        Assert.All(calls, c => Assert.Equal(SimulatedCall.RoleplaySource, c.Source));
        Assert.All(calls, c => Assert.NotNull(c.ExternalUserId));
        Assert.All(calls, c => Assert.Null(c.RecordingBytes));
        Assert.All(calls, c => Assert.Null(c.ComplianceScorecard));
    }

    [Fact]
    public void Athos_ids_are_always_set_and_stable_per_rep_and_agency()
    {
        var calls = new CallGenerator(5) { Contract = AthosContract.Current }.Generate(400, From, From.AddDays(1));
        var early = new CallGenerator(5).Generate(100, From, From.AddDays(1));

        foreach (var call in calls.Concat(early))
        {
            Assert.Matches("^athos_agent_[A-Za-z0-9]{16}$", call.AgentId);
            Assert.Matches("^athos_agency_[A-Za-z0-9]{12}$", call.AgencyId);
        }

        // One Athos id per rep, and the rep's platform id (when registered) never names two Athos agents.
        Assert.All(calls.Where(c => c.ExternalUserId is not null).GroupBy(c => c.ExternalUserId), g => Assert.Single(g.Select(c => c.AgentId).Distinct()));
        Assert.All(calls.GroupBy(c => c.AgentId), g => Assert.Single(g.Select(c => c.AgencyId).Distinct()));
        Assert.Subset(new CallGenerator(5).AgentIds.ToHashSet(), calls.Select(c => c.AgentId).ToHashSet());
        Assert.Equal(new CallGenerator(5).AgentIds, new CallGenerator(5) { Contract = AthosContract.Current }.AgentIds);
        Assert.Empty(new CallGenerator(6).AgentIds.Intersect(new CallGenerator(5).AgentIds));
    }

    [Fact]
    public void The_current_generator_makes_both_sources_scorecards_recordings_unregistered_reps_and_failures()
    {
        var calls = new CallGenerator(5) { Contract = AthosContract.Current }.Generate(600, From, From.AddDays(1));
        var scored = calls.Where(c => c.State == CallState.Scored).ToList();
        var real = scored.Where(c => c.IsRealCall).ToList();
        var roleplay = scored.Where(c => !c.IsRealCall).ToList();

        Assert.InRange(calls.Count(c => c.IsRealCall), 130, 230);
        Assert.All(real, c => Assert.Null(c.DrillKey));
        Assert.All(real, c => Assert.True(c.OverallScore is 0 or (>= 60 and <= 100), $"real-call score {c.OverallScore}"));
        Assert.Contains(real, c => c.OverallScore == 0);
        Assert.Contains(real, c => c.ComplianceScorecard is not null);
        Assert.Contains(real, c => c.ComplianceScorecard is null);
        Assert.All(roleplay, c => Assert.Equal(c.DrillKey == "ma-full-sale" && c.DurationSec >= 300, c.ComplianceScorecard is not null));
        Assert.All(scored.Where(c => c.ComplianceScorecard is not null), c => Assert.InRange(c.ComplianceScorecard!.Value.GetProperty("totalScore").GetDouble(), 0, 100));
        Assert.Contains(scored, c => c.Summary == string.Empty);
        Assert.Contains(scored, c => c.Feedback == string.Empty);
        Assert.Contains(calls, c => c.ExternalUserId is null);
        Assert.All(calls.Where(c => c.ExternalUserId is null), c => Assert.Contains(c.AgentId, calls.Where(x => x.ExternalUserId is null).Select(x => x.AgentId)));
        Assert.InRange(calls.Count(c => c.RecordingBytes is not null), 480, 590);
        Assert.All(calls.Where(c => c.RecordingBytes is not null), c => Assert.InRange(c.RecordingBytes!.Value, 20_000, 200_000));
        Assert.Contains(calls, c => c.State == CallState.Failed && c.IsRealCall);
        Assert.Contains(calls, c => c.State == CallState.Failed && c.WebhookOmitsPlatformIds);
        Assert.All(real, c => Assert.InRange(c.DurationSec, 60, 2400));
    }

    [Fact]
    public void The_current_generator_is_deterministic_for_a_seed()
    {
        var a = new CallGenerator(77) { Contract = AthosContract.Current }.Generate(200, From, From.AddDays(1));
        var b = new CallGenerator(77) { Contract = AthosContract.Current }.Generate(200, From, From.AddDays(1));
        var c = new CallGenerator(78) { Contract = AthosContract.Current }.Generate(200, From, From.AddDays(1));

        Assert.Equal(a.Select(Fingerprint), b.Select(Fingerprint));
        Assert.NotEqual(a.Select(Fingerprint), c.Select(Fingerprint));
        Assert.Equal(
            CallGenerator.TranscriptOf(a.First(x => x.IsRealCall), AthosContract.Current),
            CallGenerator.TranscriptOf(b.First(x => x.IsRealCall), AthosContract.Current));
    }

    [Fact]
    public void A_real_call_rate_of_zero_gives_roleplay_only_and_the_early_contract_ignores_the_rate()
    {
        var none = new CallGenerator(3) { Contract = AthosContract.Current, RealCallRate = 0 }.Generate(200, From, From.AddDays(1));
        var early = new CallGenerator(3) { RealCallRate = 1 }.Generate(200, From, From.AddDays(1));

        Assert.DoesNotContain(none, c => c.IsRealCall);
        Assert.DoesNotContain(early, c => c.IsRealCall);
    }

    private static string Fingerprint(SimulatedCall call) => string.Create(CultureInfo.InvariantCulture,
        $"{call.Id}|{call.Source}|{call.AgentId}|{call.AgencyId}|{call.ExternalUserId}|{call.ExternalAgencyId}|{call.DrillKey}|{call.StartedAt:O}|{call.EndedAt:O}|{call.State}|{call.ScoredAt:O}|{call.OverallScore}|{call.Summary}|{call.ComplianceScorecard?.GetRawText()}|{call.RecordingBytes}|{call.RecordingSeed}|{call.WebhookOmitsPlatformIds}|{call.TranscriptSeed}");
}
