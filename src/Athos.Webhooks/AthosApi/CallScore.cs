using System.Text.Json;

namespace Athos.Webhooks.AthosApi;

/// <summary>The documented fields of a call's score object, read tolerantly from the raw JSON.</summary>
/// <param name="OverallScore">0–100, or <see langword="null"/> when absent or not a number.</param>
/// <param name="Summary">A short summary of the call.</param>
/// <param name="Feedback">Coaching feedback for the rep.</param>
public sealed record CallScore(double? OverallScore, string? Summary, string? Feedback)
{
    public static CallScore From(JsonElement? score)
    {
        if (score is not { ValueKind: JsonValueKind.Object } obj)
        {
            return new CallScore(null, null, null);
        }

        return new CallScore(
            obj.TryGetProperty("overallScore", out var overall) && overall.ValueKind == JsonValueKind.Number ? overall.GetDouble() : null,
            StringOrNull(obj, "summary"),
            StringOrNull(obj, "feedback"));
    }

    private static string? StringOrNull(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
