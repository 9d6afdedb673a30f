using System.Text.Json;
using System.Text.Json.Serialization;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Reconciliation;

/// <summary>How a reconcile run, or one source of it, ended.</summary>
[JsonConverter(typeof(ReconcileOutcomeJsonConverter))]
internal enum ReconcileOutcome
{
    Succeeded,

    /// <summary>Listing or queuing failed; the watermark did not move, so the next run covers the window again.</summary>
    Failed,

    /// <summary>Another run held the lock; or, for one source, it was not listed (see <see cref="SourceRun.Note"/>).</summary>
    Skipped,

    /// <summary>
    /// The run used its time budget before the end of a long window (after an outage); what it covered is saved
    /// (the watermark moved to <see cref="SourceRun.CaughtUpTo"/>) and the next run carries on.
    /// </summary>
    Partial,
}

/// <summary>
/// The stored names of <see cref="ReconcileOutcome"/> (<c>LastRunStatus</c> in <c>AthosState</c>, <c>status</c> in its
/// sources JSON): PascalCase, as earlier versions wrote them.
/// </summary>
internal static class ReconcileOutcomeNames
{
    public static readonly StoredNames<ReconcileOutcome> Names = new(
    [
        (ReconcileOutcome.Succeeded, "Succeeded"),
        (ReconcileOutcome.Failed, "Failed"),
        (ReconcileOutcome.Skipped, "Skipped"),
        (ReconcileOutcome.Partial, "Partial"),
    ]);
}

internal sealed class ReconcileOutcomeJsonConverter() : StoredNameJsonConverter<ReconcileOutcome>(ReconcileOutcomeNames.Names);

/// <summary>The summary of one run, stored in <c>AthosState</c> and logged. Counts add up the sources.</summary>
internal sealed record ReconcileRun
{
    public required ReconcileOutcome Status { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>The earliest <c>from</c> of the sources listed (each source's is its watermark − overlap).</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>The run's start: every source is listed up to it.</summary>
    public DateTimeOffset? To { get; init; }

    public int Pages { get; init; }

    public int Listed { get; init; }

    /// <summary>Listed calls with no row in <c>AthosCalls</c>.</summary>
    public int Missing { get; init; }

    /// <summary>Listed calls whose stored version is older than the listed <c>scoredAt</c> (or only a failure).</summary>
    public int Stale { get; init; }

    public int Queued { get; init; }

    /// <summary>Missing or stale calls not queued again because they are on the queue already (queued by an earlier run).</summary>
    public int Pending { get; init; }

    /// <summary>Listed ids that are not valid call ids: skipped and logged with Athos's request id.</summary>
    public int SkippedIds { get; init; }

    /// <summary>List requests made (each page, the contract probe, and a page that failed).</summary>
    public int AthosRequests { get; init; }

    public int Errors { get; init; }

    public string? Error { get; init; }

    /// <summary>The contract Athos spoke in this run's list rows, else the one last recorded (null: not known yet).</summary>
    public AthosContract? Contract { get; init; }

    /// <summary>What happened to each source of <c>ATHOS_SOURCES</c>.</summary>
    public IReadOnlyList<SourceRun> Sources { get; init; } = [];
}

/// <summary>One call source's part of a run.</summary>
/// <param name="Source">The call source (<c>roleplay</c>, <c>real_call</c>).</param>
/// <param name="Status">Succeeded, failed, or skipped (not listed: see <paramref name="Note"/>).</param>
/// <param name="From">The listed window's start on the source's time axis (<c>endedAt</c> or <c>startedAt</c>).</param>
/// <param name="To">The listed window's end.</param>
/// <param name="Pages">Pages listed.</param>
/// <param name="Listed">Distinct calls listed.</param>
/// <param name="Missing">Calls queued because they were not stored.</param>
/// <param name="Stale">Calls found stale (the stored version is older).</param>
/// <param name="Note">Why a source was skipped, or the error that failed it.</param>
/// <param name="Pending">Missing or stale calls already on the queue: not queued again.</param>
/// <param name="SkippedIds">Listed ids that are not valid call ids.</param>
/// <param name="CaughtUpTo">How far the window was covered (its end unless the run stopped early or failed).</param>
internal sealed record SourceRun(
    string Source,
    ReconcileOutcome Status,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Pages = 0,
    int Listed = 0,
    int Missing = 0,
    int Stale = 0,
    string? Note = null,
    int Pending = 0,
    int SkippedIds = 0,
    DateTimeOffset? CaughtUpTo = null)
{
    /// <summary>The calls queued by this source's listing.</summary>
    public int Queued => Missing + Stale - Pending;
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<SourceRun>))]
internal sealed partial class ReconcileJsonContext : JsonSerializerContext;
