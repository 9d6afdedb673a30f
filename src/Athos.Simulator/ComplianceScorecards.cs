using System.Text.Json;

namespace Athos.Simulator;

/// <summary>
/// Builds <c>score.complianceScorecard</c> objects: Medicare Advantage enrollment checks, headed by a numeric
/// <c>totalScore</c>, with <c>sections</c> a receiver must keep without understanding them (they may grow).
/// </summary>
internal static class ComplianceScorecards
{
    private static readonly (string Key, string Title, int MaxScore)[] Sections =
    [
        ("scope_of_appointment", "Scope of Appointment recorded before plan details", 20),
        ("tpmo_disclaimer", "TPMO disclaimer read in the first minute", 15),
        ("needs_assessment", "Doctors, prescriptions and pharmacies confirmed", 25),
        ("plan_disclosures", "Premium, copays and network rules disclosed", 25),
        ("enrollment_consent", "Enrollment consent captured in the beneficiary's words", 15),
    ];

    /// <summary>A scorecard drawn from <paramref name="random"/>; real calls are scored a little more harshly.</summary>
    public static JsonElement Create(Random random, bool realCall)
    {
        var scores = new int[Sections.Length];
        var total = 0;
        var max = 0;
        for (var i = 0; i < Sections.Length; i++)
        {
            var floor = realCall ? 0.4 : 0.5;
            scores[i] = (int)Math.Round(Sections[i].MaxScore * (floor + (random.NextDouble() * (1 - floor))));
            total += scores[i];
            max += Sections[i].MaxScore;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, CallJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("totalScore", Math.Round(100.0 * total / max, 1));
            json.WriteString("framework", "cms-ma-2026");
            json.WriteStartArray("sections");
            for (var i = 0; i < Sections.Length; i++)
            {
                json.WriteStartObject();
                json.WriteString("key", Sections[i].Key);
                json.WriteString("title", Sections[i].Title);
                json.WriteNumber("score", scores[i]);
                json.WriteNumber("maxScore", Sections[i].MaxScore);
                json.WriteBoolean("passed", scores[i] * 10 >= Sections[i].MaxScore * 7);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }
}
