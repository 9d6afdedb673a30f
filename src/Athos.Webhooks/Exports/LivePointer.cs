using System.Text.Json;
using System.Text.Json.Serialization;

namespace Athos.Webhooks.Exports;

/// <summary>
/// The fields of a rebuilt dataset's pointer (<c>calls/current/_live.json</c>, <c>scores/_live.json</c>) that the
/// changes half reads: when the live version was built, and the folder it is in. The rebuild writes the pointer last.
/// </summary>
internal sealed record LivePointer(DateTimeOffset? BuiltAt, string? Path)
{
    public const string CurrentName = "calls/current/_live.json";
    public const string ScoresName = "scores/_live.json";

    /// <summary>The pointer in <paramref name="json"/>, or null when it is not one.</summary>
    public static LivePointer? Parse(BinaryData? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, ExportJsonContext.Default.LivePointer);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(LivePointer))]
internal sealed partial class ExportJsonContext : JsonSerializerContext;
