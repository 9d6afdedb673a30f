using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Athos.Simulator;

/// <summary>Writes calls and webhook events in Athos's JSON shapes, exactly as the contract and openapi.yaml show them.</summary>
internal static class CallJson
{
    // Athos sends non-ASCII text as UTF-8, not as \u escapes.
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void WriteSlim(Utf8JsonWriter json, SimulatedCall call)
    {
        json.WriteStartObject();
        WriteSlimFields(json, call);
        WriteExtras(json, call.ExtraFields);
        json.WriteEndObject();
    }

    public static void WriteDetail(Utf8JsonWriter json, SimulatedCall call)
    {
        json.WriteStartObject();
        WriteSlimFields(json, call);
        json.WriteString("status", "scored");
        json.WriteStartArray("transcript");
        foreach (var turn in CallGenerator.TranscriptOf(call))
        {
            json.WriteStartObject();
            json.WriteString("role", turn.Role);
            json.WriteString("content", turn.Content);
            if (turn.StartSec is { } start)
            {
                json.WriteNumber("startSec", start);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("score");
        if (call.OverallScore is { } overall)
        {
            json.WriteNumber("overallScore", overall);
        }

        json.WriteString("summary", call.Summary);
        json.WriteString("feedback", call.Feedback);
        WriteExtras(json, call.ExtraScoreFields);
        json.WriteEndObject();
        json.WriteString("audioUrl", call.AudioUrl);
        json.WriteNull("audioUrlExpiresAt");
        json.WriteNull("waveform");
        json.WriteString("createdAt", Format(call.CreatedAt));
        json.WriteString("updatedAt", Format(call.UpdatedAt));
        WriteExtras(json, call.ExtraFields);
        json.WriteEndObject();
    }

    /// <summary>The body of a <c>call.scored</c> webhook for the call's current state.</summary>
    public static byte[] WebhookEvent(SimulatedCall call, string requestId, DateTimeOffset occurredAt)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("event", "call.scored");
            json.WriteBoolean("success", call.State == CallState.Scored);
            json.WriteString("callId", call.Id);
            json.WriteString("source", call.Source);
            json.WriteString("externalUserId", call.ExternalUserId);
            json.WriteString("externalAgencyId", call.ExternalAgencyId);
            json.WriteString("occurredAt", Format(occurredAt));
            json.WriteString("requestId", requestId);
            if (call.State == CallState.Failed)
            {
                json.WriteString("reason", call.FailureReason ?? "SCORING_INCOMPLETE");
                json.WriteString("reasonMessage", call.FailureMessage);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static void WriteError(Utf8JsonWriter json, string code, string message, string requestId)
    {
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("code", code);
        json.WriteString("message", message);
        json.WriteString("requestId", requestId);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void WriteSlimFields(Utf8JsonWriter json, SimulatedCall call)
    {
        json.WriteString("id", call.Id);
        json.WriteString("source", call.Source);
        json.WriteString("externalUserId", call.ExternalUserId);
        json.WriteString("externalAgencyId", call.ExternalAgencyId);
        json.WriteString("drillKey", call.DrillKey);
        json.WriteString("startedAt", Format(call.StartedAt));
        json.WriteString("endedAt", Format(call.EndedAt));
        json.WriteNumber("durationSec", call.DurationSec);
        if (call.ScoredAt is { } scoredAt)
        {
            json.WriteString("scoredAt", Format(scoredAt));
        }
        else
        {
            json.WriteNull("scoredAt");
        }
    }

    private static void WriteExtras(Utf8JsonWriter json, IReadOnlyDictionary<string, JsonElement> extras)
    {
        foreach (var (name, value) in extras)
        {
            json.WritePropertyName(name);
            value.WriteTo(json);
        }
    }
}
