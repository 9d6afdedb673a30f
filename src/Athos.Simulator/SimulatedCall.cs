using System.Text.Json;

namespace Athos.Simulator;

/// <summary>Where a call stands at Athos.</summary>
public enum CallState
{
    /// <summary>Ended, not scored yet: absent from the list, 404 on detail.</summary>
    Pending,

    /// <summary>Scored: listed, and its detail served.</summary>
    Scored,

    /// <summary>Scoring failed: only a <c>success:false</c> webhook tells of it; absent from the list, 404 on detail.</summary>
    Failed,
}

/// <summary>One call as the simulated Athos holds it. Immutable: a rescore replaces the record.</summary>
public sealed record SimulatedCall
{
    public required string Id { get; init; }

    public string Source { get; init; } = "roleplay";

    public string? ExternalUserId { get; init; }

    public string? ExternalAgencyId { get; init; }

    public string? DrillKey { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset EndedAt { get; init; }

    public int DurationSec => (int)Math.Round((EndedAt - StartedAt).TotalSeconds);

    public CallState State { get; init; } = CallState.Scored;

    public DateTimeOffset? ScoredAt { get; init; }

    public double? OverallScore { get; init; }

    public string? Summary { get; init; }

    public string? Feedback { get; init; }

    /// <summary>Score keys beyond the documented three (richer scoring arrives this way).</summary>
    public IReadOnlyDictionary<string, JsonElement> ExtraScoreFields { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Top-level keys a newer Athos version adds (for tolerance tests).</summary>
    public IReadOnlyDictionary<string, JsonElement> ExtraFields { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>An explicit transcript; when <see langword="null"/> one is generated from <see cref="TranscriptSeed"/>.</summary>
    public IReadOnlyList<TranscriptTurn>? Transcript { get; init; }

    public int TranscriptSeed { get; init; }

    public string? FailureReason { get; init; }

    public string? FailureMessage { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public string? AudioUrl { get; init; }
}

/// <summary>One turn of a diarized transcript.</summary>
public sealed record TranscriptTurn(string Role, string Content, double? StartSec = null);
