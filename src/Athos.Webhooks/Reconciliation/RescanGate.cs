using System.Net;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.WorkItems;
using Azure;
using Azure.Data.Tables;

namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// Lets one rescan run at a time, whatever the schedule and however many hosts fire it: an occurrence starts its rescan
/// only once the one before has ended, and an occurrence that finds one still running is skipped and counted
/// (<see cref="RescanStateRow"/>, what <c>status</c> shows).
/// </summary>
internal sealed partial class RescanGate(TableServiceClient tables, ILogger<RescanGate> logger)
{
    /// <summary>
    /// A running rescan whose job row has not been written for this long no longer holds the next one back: a live chain
    /// writes it at every page and every failed attempt, and a page is retried or deferred for at most this long before
    /// it is parked. Only a stopped chain is this quiet (a page parked, or a crash before the first page was queued).
    /// </summary>
    internal static readonly TimeSpan StalledAfter = WorkQueue.MaxDeferral;

    // Hosts fire one occurrence within moments of each other: a few rounds always settle it.
    private const int Attempts = 10;

    private readonly TableClient _table = tables.GetTableClient(StorageNames.StateTable);

    /// <summary>
    /// Whether the occurrence whose rescan is <paramref name="jobId"/> may start it. <see cref="RescanTurn.Start"/> is
    /// answered to every host firing that occurrence: the job's conditional insert lets one of them start it.
    /// </summary>
    public async Task<RescanTurn> EnterAsync(string jobId, DateTimeOffset occurrence, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            var state = await ReadAsync(cancellationToken) ?? new RescanStateRow();
            if (state.JobId is { } latest)
            {
                // Job ids sort by their occurrence.
                var order = string.CompareOrdinal(jobId, latest);
                if (order == 0)
                {
                    return RescanTurn.Start;
                }

                if (order < 0)
                {
                    // A late firing of an occurrence a later one has already covered.
                    return RescanTurn.Covered;
                }

                var running = await ReadJobAsync(latest, cancellationToken);
                if (running is { Status: BackfillStatus.Running } && running.Timestamp is { } written && now - written < StalledAfter)
                {
                    if (state.LastSkippedAt >= occurrence)
                    {
                        // Another host counted this occurrence.
                        return RescanTurn.Skipped;
                    }

                    state.Skipped++;
                    state.LastSkippedAt = occurrence;
                    if (await TryWriteAsync(state, cancellationToken))
                    {
                        Log.Skipped(logger, occurrence, latest, state.Skipped);
                        return RescanTurn.Skipped;
                    }

                    continue;
                }

                if (running is { Status: BackfillStatus.Running })
                {
                    Log.Stalled(logger, latest, running.Timestamp, jobId);
                }
            }

            state.JobId = jobId;
            if (await TryWriteAsync(state, cancellationToken))
            {
                return RescanTurn.Start;
            }
        }

        throw new StorageConflictException($"The rescan state row kept changing under the occurrence {occurrence:o}; the next occurrence tries again.");
    }

    /// <summary>The latest rescan and the occurrences skipped, as <c>status</c> shows them.</summary>
    public async Task<RescanSummary> GetSummaryAsync(CancellationToken cancellationToken = default)
    {
        var state = await ReadAsync(cancellationToken);
        var latest = state?.JobId is { } jobId ? await ReadJobAsync(jobId, cancellationToken) : null;
        return new RescanSummary(state?.JobId, latest, state?.Skipped ?? 0, state?.LastSkippedAt);
    }

    private async Task<RescanStateRow?> ReadAsync(CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<RescanStateRow>(RescanStateRow.Partition, RescanStateRow.Row, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    private async Task<BackfillJob?> ReadJobAsync(string jobId, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<BackfillJob>(BackfillJob.Partition, jobId, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    // False when another host wrote the row first: the caller reads it again and decides on what that host left.
    private async Task<bool> TryWriteAsync(RescanStateRow state, CancellationToken cancellationToken)
    {
        try
        {
            if (state.ETag == default)
            {
                await _table.AddEntityAsync(state, cancellationToken);
            }
            else
            {
                await _table.UpdateEntityAsync(state, state.ETag, TableUpdateMode.Replace, cancellationToken);
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RescanSkipped, Level = LogLevel.Information, Message = "Rescan occurrence {Occurrence:o} skipped: {RunningJobId} is still running ({Skipped} skipped in all)")]
        public static partial void Skipped(ILogger logger, DateTimeOffset occurrence, string runningJobId, int skipped);

        [LoggerMessage(EventId = LogEvents.RescanStalled, Level = LogLevel.Warning, Message = "Rescan {StalledJobId} is running but has written nothing since {LastWrittenAt:o}: its chain has stopped (a page parked, or lost before it was queued); {JobId} starts")]
        public static partial void Stalled(ILogger logger, string stalledJobId, DateTimeOffset? lastWrittenAt, string jobId);
    }
}

/// <summary>What <see cref="RescanGate.EnterAsync"/> decided for an occurrence.</summary>
internal enum RescanTurn
{
    /// <summary>Its rescan may start (or was started by another host firing the same occurrence).</summary>
    Start,

    /// <summary>A rescan was still running: skipped, and counted.</summary>
    Skipped,

    /// <summary>A later occurrence's rescan has started already: nothing to do.</summary>
    Covered,
}
