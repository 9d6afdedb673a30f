using System.Text.Json;
using System.Text.Json.Serialization;

namespace Athos.Webhooks.AthosApi;

/// <summary>The body of <c>GET /calls/{callId}</c>: the list fields plus status, transcript, score and timestamps.</summary>
/// <remarks>
/// <see cref="Score"/> is kept as the JSON Athos sent (the score object gains keys as Athos adds richer scoring);
/// <see cref="ParseScore"/> reads the columns from it. The transcript, usually most of the body, is not copied into
/// the model at all: nothing here needs it parsed, and the archive stores it from the raw bytes
/// (<see cref="CallDetailResponse.RawJson"/>), so a work item holds the body once, not twice.
/// </remarks>
internal sealed record CallDetail : CallSummary
{
    public string? Status { get; init; }

    /// <summary>Skipped while reading (see the remarks); read it from <see cref="CallDetailResponse.RawJson"/>.</summary>
    [JsonConverter(typeof(SkippedJsonConverter))]
    public SkippedJson Transcript { get; init; }

    public JsonElement? Score { get; init; }

    public string? AudioUrl { get; init; }

    public DateTimeOffset? AudioUrlExpiresAt { get; init; }

    public JsonElement? Waveform { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    public CallScore ParseScore() => CallScore.From(Score, Source);
}

/// <summary>A JSON value read past without being kept (it stays in the raw body), so it is not captured as an unknown field either.</summary>
internal readonly record struct SkippedJson;

internal sealed class SkippedJsonConverter : JsonConverter<SkippedJson>
{
    public override SkippedJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        reader.Skip();
        return default;
    }

    public override void Write(Utf8JsonWriter writer, SkippedJson value, JsonSerializerOptions options) => writer.WriteNullValue();
}
