using System.Globalization;
using System.Text.Json;

namespace Athos.Webhooks.Exports;

/// <summary>
/// The numbers inside a call's <c>ScoreJson</c>, each with its path, for the <c>scores</c> dataset. The grammar
/// (docs/consumers.md, "scores"): the property names from the score object down to the number, joined by <c>.</c>; an
/// array element is named by its <c>key</c> when it is an object with a string <c>key</c> (compliance sections), else by
/// its index from 0. So <c>overallScore</c>, <c>complianceScorecard.totalScore</c>,
/// <c>complianceScorecard.sections.tpmo_disclaimer.score</c>, <c>skills.discovery.score</c>. Strings, booleans and
/// nulls are not numbers and are left out; keys Athos adds later appear without a change here.
/// </summary>
internal static class ScoreNumbers
{
    /// <summary>Every number in <paramref name="scoreJson"/>, in document order; none when it is absent or not JSON.</summary>
    public static List<(string Path, double Value)> Of(string? scoreJson)
    {
        var numbers = new List<(string, double)>();
        if (string.IsNullOrEmpty(scoreJson))
        {
            return numbers;
        }

        try
        {
            using var document = JsonDocument.Parse(scoreJson);
            Walk(document.RootElement, prefix: null, numbers);
        }
        catch (JsonException)
        {
            // The writer stores what Athos sent as a JSON object; a row that holds anything else has no numbers to give.
            numbers.Clear();
        }

        return numbers;
    }

    private static void Walk(JsonElement element, string? prefix, List<(string, double)> numbers)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Walk(property.Value, Join(prefix, property.Name), numbers);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    var name = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String
                        ? key.GetString()!
                        : index.ToString(CultureInfo.InvariantCulture);
                    Walk(item, Join(prefix, name), numbers);
                    index++;
                }

                break;
            case JsonValueKind.Number when prefix is not null && element.TryGetDouble(out var value) && double.IsFinite(value):
                numbers.Add((prefix, value));
                break;
        }
    }

    private static string Join(string? prefix, string name) => prefix is null ? name : prefix + "." + name;
}
