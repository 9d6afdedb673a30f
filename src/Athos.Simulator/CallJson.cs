using System.Collections.Frozen;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Athos.Simulator;

/// <summary>
/// Writes calls and webhook events in Athos's JSON shapes: the early contract exactly as openapi.yaml shows it, the
/// later one as CONTRACT.md describes it. A call's extra fields never repeat a key the shape already writes.
/// </summary>
internal static class CallJson
{
    // Athos sends non-ASCII text as UTF-8, not as \u escapes.
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly FrozenSet<string> EarlySlimKeys = FrozenSet.Create(StringComparer.Ordinal, "id", "source", "externalUserId", "externalAgencyId", "drillKey", "startedAt", "endedAt", "durationSec", "scoredAt");

    private static readonly FrozenSet<string> CurrentSlimKeys = FrozenSet.Create(StringComparer.Ordinal, "id", "source", "agentId", "agencyId", "platformAgentId", "platformAgencyId", "drillKey", "startedAt", "endedAt", "durationSec", "scoredAt");

    private static readonly string[] DetailOnlyKeys = ["status", "transcript", "score", "audioUrl", "audioUrlExpiresAt", "waveform", "createdAt", "updatedAt"];

    private static readonly FrozenSet<string> EarlyDetailKeys = FrozenSet.Create(StringComparer.Ordinal, [.. EarlySlimKeys, .. DetailOnlyKeys]);

    private static readonly FrozenSet<string> CurrentDetailKeys = FrozenSet.Create(StringComparer.Ordinal, [.. CurrentSlimKeys, .. DetailOnlyKeys]);

    private static readonly FrozenSet<string> ScoreKeys = FrozenSet.Create(StringComparer.Ordinal, "overallScore", "summary", "feedback");

    private static readonly FrozenSet<string> ScoreKeysWithScorecard = FrozenSet.Create(StringComparer.Ordinal, [.. ScoreKeys, "complianceScorecard"]);

    public static void WriteSlim(Utf8JsonWriter json, SimulatedCall call, AthosContract contract)
    {
        json.WriteStartObject();
        WriteSlimFields(json, call, contract);
        WriteExtras(json, call.ExtraFields, contract == AthosContract.Current ? CurrentSlimKeys : EarlySlimKeys);
        json.WriteEndObject();
    }

    /// <param name="recording">The signed link to serve (later contract); otherwise <see cref="SimulatedCall.AudioUrl"/> as-is.</param>
    public static void WriteDetail(Utf8JsonWriter json, SimulatedCall call, AthosContract contract, RecordingLink? recording)
    {
        json.WriteStartObject();
        WriteSlimFields(json, call, contract);
        json.WriteString("status", "scored");
        WriteTranscript(json, call, contract);
        json.WriteStartObject("score");
        if (call.OverallScore is { } overall)
        {
            json.WriteNumber("overallScore", overall);
        }

        json.WriteString("summary", call.Summary);
        json.WriteString("feedback", call.Feedback);
        if (call.ComplianceScorecard is { } scorecard)
        {
            json.WritePropertyName("complianceScorecard");
            scorecard.WriteTo(json);
        }

        // A scorecard put among the extra score fields (as tests did before it had a property) is still served.
        WriteExtras(json, call.ExtraScoreFields, call.ComplianceScorecard is null ? ScoreKeys : ScoreKeysWithScorecard);
        json.WriteEndObject();
        if (recording is { } link)
        {
            json.WriteString("audioUrl", link.Url.AbsoluteUri);
            json.WriteString("audioUrlExpiresAt", Format(link.ExpiresAt));
        }
        else
        {
            json.WriteString("audioUrl", call.AudioUrl);
            json.WriteNull("audioUrlExpiresAt");
        }

        json.WriteNull("waveform");
        json.WriteString("createdAt", Format(call.CreatedAt));
        json.WriteString("updatedAt", Format(call.UpdatedAt));
        WriteExtras(json, call.ExtraFields, contract == AthosContract.Current ? CurrentDetailKeys : EarlyDetailKeys);
        json.WriteEndObject();
    }

    /// <summary>The body of a <c>call.scored</c> webhook for the call's current state.</summary>
    public static byte[] WebhookEvent(SimulatedCall call, AthosContract contract, string requestId, DateTimeOffset occurredAt)
    {
        var failed = call.State == CallState.Failed;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("event", "call.scored");
            json.WriteBoolean("success", call.State == CallState.Scored);
            json.WriteString("callId", call.Id);
            json.WriteString("source", call.Source);
            if (contract == AthosContract.Current)
            {
                var withholdPlatformIds = failed && call.WebhookOmitsPlatformIds;
                json.WriteString("agentId", call.AgentId);
                json.WriteString("agencyId", call.AgencyId);
                json.WriteString("platformAgentId", withholdPlatformIds ? null : call.ExternalUserId);
                json.WriteString("platformAgencyId", withholdPlatformIds ? null : call.ExternalAgencyId);
            }
            else
            {
                json.WriteString("externalUserId", call.ExternalUserId);
                json.WriteString("externalAgencyId", call.ExternalAgencyId);
            }

            json.WriteString("occurredAt", Format(occurredAt));
            json.WriteString("requestId", requestId);
            if (failed)
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

    private static void WriteSlimFields(Utf8JsonWriter json, SimulatedCall call, AthosContract contract)
    {
        json.WriteString("id", call.Id);
        json.WriteString("source", call.Source);
        if (contract == AthosContract.Current)
        {
            json.WriteString("agentId", call.AgentId);
            json.WriteString("agencyId", call.AgencyId);
            json.WriteString("platformAgentId", call.ExternalUserId);
            json.WriteString("platformAgencyId", call.ExternalAgencyId);
        }
        else
        {
            json.WriteString("externalUserId", call.ExternalUserId);
            json.WriteString("externalAgencyId", call.ExternalAgencyId);
        }

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

    /// <summary>Turns as role + content; the early contract's offsets as <c>startSec</c>, a later real call's as <c>startTime</c>/<c>endTime</c>.</summary>
    private static void WriteTranscript(Utf8JsonWriter json, SimulatedCall call, AthosContract contract)
    {
        var (startKey, endKey) = contract == AthosContract.Current && call.IsRealCall ? ("startTime", "endTime") : ("startSec", "endSec");
        json.WriteStartArray("transcript");
        foreach (var turn in CallGenerator.TranscriptOf(call, contract))
        {
            json.WriteStartObject();
            json.WriteString("role", turn.Role);
            json.WriteString("content", turn.Content);
            if (turn.StartSec is { } start)
            {
                json.WriteNumber(startKey, start);
            }

            if (turn.EndSec is { } end)
            {
                json.WriteNumber(endKey, end);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteExtras(Utf8JsonWriter json, IReadOnlyDictionary<string, JsonElement> extras, FrozenSet<string> written)
    {
        foreach (var (name, value) in extras)
        {
            if (written.Contains(name))
            {
                continue;
            }

            json.WritePropertyName(name);
            value.WriteTo(json);
        }
    }
}
