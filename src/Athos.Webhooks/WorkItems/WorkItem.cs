using System.Text.Json.Serialization;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;

namespace Athos.Webhooks.WorkItems;

/// <summary>Why a work item was queued.</summary>
[JsonConverter(typeof(WorkOriginJsonConverter))]
internal enum WorkOrigin
{
    Webhook,

    Reconcile,

    Backfill,

    Redrive,

    /// <summary>The daily rescan of the last 30 days (changes without a webhook, recordings to retry).</summary>
    Rescan,
}

/// <summary>The stored names of <see cref="WorkOrigin"/> (<c>origin</c> in a queue message, <c>Origin</c> in a parked row and a queued mark).</summary>
internal static class WorkOriginNames
{
    internal static readonly StoredNames<WorkOrigin> Names = new(
    [
        (WorkOrigin.Webhook, "webhook"),
        (WorkOrigin.Reconcile, "reconcile"),
        (WorkOrigin.Backfill, "backfill"),
        (WorkOrigin.Redrive, "redrive"),
        (WorkOrigin.Rescan, "rescan"),
    ]);

    public static string ToStorageName(this WorkOrigin origin) => Names.NameOf(origin);

    /// <summary>The origin as metrics tag it: its name in work items, or <c>unknown</c> for an unreadable item.</summary>
    public static string TagOf(WorkOrigin? origin) => origin?.ToStorageName() ?? "unknown";
}

internal sealed class WorkOriginJsonConverter() : StoredNameJsonConverter<WorkOrigin>(WorkOriginNames.Names);

/// <summary>
/// A message on <c>athos-calls</c>: small, versioned JSON (base64-encoded on the queue, as the Functions trigger
/// expects). Its shape is part of the storage contract (docs/schema.md).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(FetchCallWorkItem), "fetch")]
[JsonDerivedType(typeof(ScoringFailedWorkItem), "scoringFailed")]
[JsonDerivedType(typeof(BackfillPageWorkItem), "backfillPage")]
[JsonDerivedType(typeof(RecordingWorkItem), "recording")]
[JsonDerivedType(typeof(AgentLookupWorkItem), "agentLookup")]
internal abstract record WorkItem
{
    public const int CurrentVersion = 1;

    /// <summary>The kind as written in work items (<c>fetch</c>, <c>scoringFailed</c>, <c>recording</c>, <c>backfillPage</c>, <c>agentLookup</c>).</summary>
    internal static string KindOf(WorkItem item) => item switch
    {
        CallWorkItem call => call.Kind,
        BackfillPageWorkItem => "backfillPage",
        AgentLookupWorkItem => "agentLookup",
        _ => item.GetType().Name,
    };

    [JsonPropertyName("v")]
    public int Version { get; init; } = CurrentVersion;

    public required WorkOrigin Origin { get; init; }

    /// <summary>The <c>X-Athos-Webhook-Id</c> of the delivery that caused this item, when a webhook did.</summary>
    public string? WebhookId { get; init; }

    /// <summary>
    /// The SHA-256 (hex) of the delivery's signed content, <c>t.body</c>, when a webhook caused this item: a delivery
    /// whose signed content was already claimed is a replay, whatever its webhook id. Absent in items queued before it.
    /// </summary>
    public string? ContentHash { get; init; }

    /// <summary>When the cause arrived (the webhook's receipt, the reconcile run).</summary>
    public DateTimeOffset? ReceivedAt { get; init; }

    /// <summary>
    /// How often this item was re-queued with a delay (Athos asked to wait with <c>Retry-After</c>, or stayed
    /// unavailable through every attempt); 0 for a fresh item. An item is deferred for at most a day, then parked.
    /// </summary>
    public int Deferrals { get; init; }
}

/// <summary>A work item about one call: every kind but a backfill page.</summary>
internal abstract record CallWorkItem : WorkItem
{
    public required CallId CallId { get; init; }

    /// <summary>The kind as written in the message's <c>kind</c> (<c>fetch</c>, <c>scoringFailed</c>, <c>recording</c>).</summary>
    [JsonIgnore]
    public abstract string Kind { get; }
}

/// <summary>Fetch a call's detail from Athos and store it.</summary>
internal sealed record FetchCallWorkItem : CallWorkItem
{
    [JsonIgnore]
    public override string Kind => "fetch";

    /// <summary>
    /// The <c>scoredAt</c> Athos listed when a reconcile, backfill or rescan queued the call: if a row at least that new
    /// is stored by the time the item runs (a webhook's fetch got there first), no Athos request is needed.
    /// </summary>
    public DateTimeOffset? ListedScoredAt { get; init; }

    /// <summary>
    /// The webhook's <c>occurredAt</c> (when Athos reached the outcome it announces), when a webhook queued the item: a
    /// stored score at least that new makes the fetch unnecessary. Absent in items queued before it was added.
    /// </summary>
    public DateTimeOffset? OccurredAt { get; init; }

    /// <summary>Whether whoever queued it marked the call as queued (<c>QueuedCalls</c>): the worker clears the mark when done.</summary>
    public bool Marked { get; init; }
}

/// <summary>
/// Record that Athos could not score a call. The webhook is the only record of such a call (it is never listed and
/// its detail is 404), so the item carries everything the row needs.
/// </summary>
internal sealed record ScoringFailedWorkItem : CallWorkItem
{
    [JsonIgnore]
    public override string Kind => "scoringFailed";

    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>Athos's machine code (<c>SCORING_INCOMPLETE</c> today; the list only grows).</summary>
    public string? Reason { get; init; }

    public string? ReasonMessage { get; init; }

    public string? Source { get; init; }

    /// <summary>The customer's own id for the rep (<c>platformAgentId</c>, or the early contract's <c>externalUserId</c>).</summary>
    public string? ExternalUserId { get; init; }

    /// <summary>The customer's own id for the agency.</summary>
    public string? ExternalAgencyId { get; init; }

    /// <summary>Athos's id for the rep (current contract).</summary>
    public string? AgentId { get; init; }

    /// <summary>Athos's id for the agency (current contract).</summary>
    public string? AgencyId { get; init; }
}

/// <summary>
/// List one page of a backfill job, queue what is missing, then queue the next page: a chain that survives restarts
/// and spreads over instances.
/// </summary>
internal sealed record BackfillPageWorkItem : WorkItem
{
    public required string JobId { get; init; }

    /// <summary>1 for the first page.</summary>
    public required int Page { get; init; }

    /// <summary>The call source this page lists; absent in items queued before sources existed (then roleplay).</summary>
    public string? Source { get; init; }

    /// <summary>The cursor Athos gave for this page (<see langword="null"/> for the first page of its source).</summary>
    public string? Cursor { get; init; }
}

/// <summary>
/// Copy the recording of a stored call into <c>athos-recordings</c>: queued when the copy made right after the call's
/// commit did not finish (a slow or failing recording host), and by the rescan for a recording still pending or failed.
/// Each attempt asks Athos for a fresh link and resumes from the blocks earlier attempts staged.
/// </summary>
internal sealed record RecordingWorkItem : CallWorkItem
{
    [JsonIgnore]
    public override string Kind => "recording";

    /// <summary>How many attempts before this one ended with part of the recording staged and queued the rest (0 at first).</summary>
    public int Continuations { get; init; }

    /// <summary>Whether whoever queued it marked the call as queued (<c>QueuedCalls</c>): the worker clears the mark when done.</summary>
    public bool Marked { get; init; }
}

/// <summary>
/// Look up one rep a stored call names that the roster mirror (<c>AthosAgents</c>) did not have: queued by the worker
/// after the call's commit, never inline, and at most once per agent and instance between syncs.
/// </summary>
internal sealed record AgentLookupWorkItem : WorkItem
{
    /// <summary>Athos's id of the rep, <c>athos_agent_…</c>.</summary>
    public required string AgentId { get; init; }
}
