using System.Text.Json;

namespace Athos.Webhooks.AthosApi;

/// <summary>The fields of a call's score object that become columns, read tolerantly from the raw JSON.</summary>
/// <param name="OverallScore">0–100, or <see langword="null"/> when absent, not a number, or a real call's 0 ("no headline score").</param>
/// <param name="Summary">A short summary of the call.</param>
/// <param name="Feedback">Coaching feedback for the rep.</param>
/// <param name="ComplianceTotalScore">
/// <c>complianceScorecard.totalScore</c> when it is a number; <see langword="null"/> when the scorecard or its total is
/// absent, which means "not assessed", never zero.
/// </param>
internal sealed record CallScore(double? OverallScore, string? Summary, string? Feedback, double? ComplianceTotalScore)
{
    public static CallScore From(JsonElement? score, string? source)
    {
        if (score is not { ValueKind: JsonValueKind.Object } obj)
        {
            return new CallScore(null, null, null, null);
        }

        var overall = Number(obj, "overallScore");
        return new CallScore(
            // A real call's 0 means Athos could not produce a headline score: not a score of zero.
            source == CallSources.RealCall && overall == 0 ? null : overall,
            StringOrNull(obj, "summary"),
            StringOrNull(obj, "feedback"),
            obj.TryGetProperty("complianceScorecard", out var scorecard) && scorecard.ValueKind == JsonValueKind.Object ? Number(scorecard, "totalScore") : null);
    }

    private static double? Number(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number) ? number : null;

    private static string? StringOrNull(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
