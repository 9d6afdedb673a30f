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

/// <summary>
/// One call as the simulated Athos holds it. Immutable: a rescore replaces the record. It holds every fact either
/// contract can show; <see cref="SimulatorOptions.Contract"/> decides which of them are written, and under which names.
/// </summary>
public sealed record SimulatedCall
{
    /// <summary>The <c>source</c> of a practice call run through the SDK (both contracts).</summary>
    public const string RoleplaySource = "roleplay";

    /// <summary>The <c>source</c> of a real call from an agency's dialer (the later contract only).</summary>
    public const string RealCallSource = "real_call";

    public required string Id { get; init; }

    /// <summary><see cref="RoleplaySource"/> or <see cref="RealCallSource"/>.</summary>
    public string Source { get; init; } = RoleplaySource;

    /// <summary>Athos's own id for the rep (<c>athos_agent_…</c>), stable per rep: the later contract's <c>agentId</c>.</summary>
    public required string AgentId { get; init; }

    /// <summary>Athos's own id for the rep's agency (<c>athos_agency_…</c>): the later contract's <c>agencyId</c>.</summary>
    public required string AgencyId { get; init; }

    /// <summary>
    /// The customer's own id for the rep: <c>externalUserId</c> in the early contract, <c>platformAgentId</c> in the
    /// later one, where it is <see langword="null"/> for a rep the customer never registered.
    /// </summary>
    public string? ExternalUserId { get; init; }

    /// <summary>The customer's own id for the agency: <c>externalAgencyId</c>, later <c>platformAgencyId</c>.</summary>
    public string? ExternalAgencyId { get; init; }

    /// <summary>
    /// Under the later contract, the <c>success:false</c> webhook of this call carries <c>null</c> platform ids although
    /// the rep is registered (Athos does that sometimes). The list and detail never show a failed call, so only the
    /// webhook is affected.
    /// </summary>
    public bool WebhookOmitsPlatformIds { get; init; }

    /// <summary>The drill practised; <see langword="null"/> for a real call.</summary>
    public string? DrillKey { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset EndedAt { get; init; }

    public int DurationSec => (int)Math.Round((EndedAt - StartedAt).TotalSeconds);

    public CallState State { get; init; } = CallState.Scored;

    public DateTimeOffset? ScoredAt { get; init; }

    /// <summary>0–100; on a real call 60–100, or exactly 0 when no headline score could be produced.</summary>
    public double? OverallScore { get; init; }

    /// <summary>May be an empty string under the later contract.</summary>
    public string? Summary { get; init; }

    /// <summary>May be an empty string under the later contract.</summary>
    public string? Feedback { get; init; }

    /// <summary>
    /// The raw <c>score.complianceScorecard</c> object (headed by a numeric <c>totalScore</c>);
    /// <see langword="null"/> means the key is absent, as Athos sends it when the call was not assessed.
    /// </summary>
    public JsonElement? ComplianceScorecard { get; init; }

    /// <summary>Score keys beyond the documented ones (richer scoring arrives this way).</summary>
    public IReadOnlyDictionary<string, JsonElement> ExtraScoreFields { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Top-level keys a newer Athos version adds (for tolerance tests).</summary>
    public IReadOnlyDictionary<string, JsonElement> ExtraFields { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>An explicit transcript; when <see langword="null"/> one is generated from <see cref="TranscriptSeed"/>.</summary>
    public IReadOnlyList<TranscriptTurn>? Transcript { get; init; }

    public int TranscriptSeed { get; init; }

    /// <summary>
    /// The size of Athos's archived recording of the call; <see langword="null"/> when Athos has none. Under the later
    /// contract the detail then links to it (see <see cref="SimulatedRecording"/> for its bytes).
    /// </summary>
    public long? RecordingBytes { get; init; }

    /// <summary>Seeds the recording's bytes, so that a test can know them without downloading them.</summary>
    public int RecordingSeed { get; init; }

    public string? FailureReason { get; init; }

    public string? FailureMessage { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>
    /// An <c>audioUrl</c> served as-is (the early contract's "stored recording URL"). Under the later contract a call
    /// with <see cref="RecordingBytes"/> gets a signed link to the simulator's recording endpoint instead.
    /// </summary>
    public string? AudioUrl { get; init; }

    public bool IsRealCall => Source == RealCallSource;
}

/// <summary>One turn of a diarized transcript.</summary>
/// <param name="Role"><c>user</c>/<c>assistant</c> in the early contract, <c>agent</c>/<c>beneficiary</c> in the later one.</param>
/// <param name="StartSec">Seconds from the start of the call.</param>
/// <param name="EndSec">Seconds from the start of the call; real calls in the later contract carry it.</param>
public sealed record TranscriptTurn(string Role, string Content, double? StartSec = null, double? EndSec = null);
