using System.Text.Json;
using System.Text.Json.Nodes;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Enrichment;

/// <summary>How Athos's data becomes a <see cref="CallRow"/> and an archive blob: the one mapping of the storage contract.</summary>
internal static class CallProjection
{
    public static CallRow FromDetail(CallDetailResponse response, DateTimeOffset enrichedAt)
    {
        var call = response.Call;
        var score = call.ParseScore();
        var row = new CallRow
        {
            CallId = call.Id,
            Status = CallStatus.Scored,
            Source = call.Source,
            ExternalUserId = call.ExternalUserId,
            ExternalAgencyId = call.ExternalAgencyId,
            DrillKey = call.DrillKey,
            StartedAt = call.StartedAt,
            EndedAt = call.EndedAt,
            DurationSec = call.DurationSec,
            ScoredAt = call.ScoredAt,
            OverallScore = score.OverallScore,
            Summary = score.Summary,
            Feedback = score.Feedback,
            ScoreJson = call.Score is { ValueKind: not JsonValueKind.Undefined } raw ? raw.GetRawText() : null,
            AthosUpdatedAt = call.UpdatedAt,
            EnrichedAt = enrichedAt,
            AthosRequestId = response.RequestId,
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
            FailureReason = item.Reason,
            FailureMessage = item.ReasonMessage,
            FailedAt = item.OccurredAt,
            EnrichedAt = enrichedAt,
        };
        TableLimits.Enforce(row);
        return row;
    }

    /// <summary>The archive body: Athos's bytes as they came, or without the transcript when transcripts are not kept.</summary>
    public static BinaryData ArchiveBody(CallDetailResponse response, bool storeTranscripts)
    {
        if (storeTranscripts)
        {
            return BinaryData.FromBytes(response.RawJson);
        }

        var node = JsonNode.Parse(response.RawJson.Span)!.AsObject();
        node.Remove("transcript");
        return BinaryData.FromString(node.ToJsonString());
    }
}
