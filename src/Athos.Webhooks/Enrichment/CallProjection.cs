using System.Text.Json;
using System.Text.Json.Nodes;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Enrichment;

/// <summary>How Athos's data becomes a <see cref="CallRow"/> and an archive blob: the one mapping of the storage contract.</summary>
internal static class CallProjection
{
    private static readonly byte[] AudioUrlName = "audioUrl"u8.ToArray();

    public static CallRow FromDetail(CallDetail call, string? athosRequestId, DateTimeOffset enrichedAt)
    {
        var score = call.ParseScore();
        var row = new CallRow
        {
            CallId = call.Id,
            Status = CallStatus.Scored,
            Source = call.Source,
            ExternalUserId = call.CustomerUserId,
            ExternalAgencyId = call.CustomerAgencyId,
            AgentId = call.AgentId,
            AgencyId = call.AgencyId,
            DrillKey = call.DrillKey,
            StartedAt = call.StartedAt,
            EndedAt = call.EndedAt,
            DurationSec = call.DurationSec,
            ScoredAt = call.ScoredAt,
            OverallScore = score.OverallScore,
            Summary = score.Summary,
            Feedback = score.Feedback,
            ComplianceTotalScore = score.ComplianceTotalScore,
            ScoreJson = call.Score is { ValueKind: not JsonValueKind.Undefined } raw ? raw.GetRawText() : null,
            AthosUpdatedAt = call.UpdatedAt,
            EnrichedAt = enrichedAt,
            AthosRequestId = athosRequestId,
        };
        TableLimits.Enforce(row);
        return row;
    }

    public static CallRow FromFailure(ScoringFailedWorkItem item, DateTimeOffset enrichedAt)
    {
        var row = new CallRow
        {
            CallId = item.CallId.Value,
            Status = CallStatus.Failed,
            Source = item.Source,
            ExternalUserId = item.ExternalUserId,
            ExternalAgencyId = item.ExternalAgencyId,
            AgentId = item.AgentId,
            AgencyId = item.AgencyId,
            FailureReason = item.Reason,
            FailureMessage = item.ReasonMessage,
            FailedAt = item.OccurredAt,
            EnrichedAt = enrichedAt,
        };
        TableLimits.Enforce(row);
        return row;
    }

    /// <summary>
    /// The archive body: Athos's bytes as they came, except that a recording link is never stored (it is a short-lived
    /// credential: <c>audioUrl</c> becomes <c>null</c> in place, every other byte kept), and without the transcript
    /// when transcripts are not kept.
    /// </summary>
    public static BinaryData ArchiveBody(ReadOnlyMemory<byte> rawJson, bool storeTranscripts)
    {
        if (storeTranscripts)
        {
            return BinaryData.FromBytes(WithoutAudioUrl(rawJson));
        }

        var node = JsonNode.Parse(rawJson.Span)!.AsObject();
        node.Remove("transcript");
        if (node["audioUrl"] is not null)
        {
            node["audioUrl"] = null;
        }

        return BinaryData.FromString(node.ToJsonString());
    }

    /// <summary>The body with the top-level <c>audioUrl</c> string replaced by <c>null</c>; the same bytes when there is none.</summary>
    private static ReadOnlyMemory<byte> WithoutAudioUrl(ReadOnlyMemory<byte> json)
    {
        var reader = new Utf8JsonReader(json.Span);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return json;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isAudioUrl = reader.ValueTextEquals(AudioUrlName);
            reader.Read();
            if (isAudioUrl && reader.TokenType == JsonTokenType.String)
            {
                var start = (int)reader.TokenStartIndex;
                var end = (int)reader.BytesConsumed;
                return (byte[])[.. json.Span[..start], .. "null"u8, .. json.Span[end..]];
            }

            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }
        }

        return json;
    }
}
