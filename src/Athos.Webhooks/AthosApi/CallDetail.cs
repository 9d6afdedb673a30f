using System.Text.Json;

namespace Athos.Webhooks.AthosApi;

/// <summary>The body of <c>GET /calls/{callId}</c>: the list fields plus status, transcript, score and timestamps.</summary>
/// <remarks>
/// <see cref="Score"/> and <see cref="Transcript"/> are kept as the JSON Athos sent: the score object gains keys as
/// Athos adds richer scoring, and transcript turns are loosely shaped. <see cref="ParseScore"/> reads the three
/// documented score fields from it.
/// </remarks>
public sealed record CallDetail : CallSummary
{
    public string? Status { get; init; }

    public JsonElement? Transcript { get; init; }

    public JsonElement? Score { get; init; }

    public string? AudioUrl { get; init; }

    public DateTimeOffset? AudioUrlExpiresAt { get; init; }

    public JsonElement? Waveform { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    public CallScore ParseScore() => CallScore.From(Score, Source);
}
