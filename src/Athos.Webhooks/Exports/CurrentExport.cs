using System.Globalization;
using System.Net;
using Athos.Webhooks.Roster;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using NCrontab;

namespace Athos.Webhooks.Exports;

/// <summary>
/// Rebuilds <c>calls/current</c> (one row per stored call at its latest version) and <c>scores</c> (the numbers inside
/// each call's score) in <c>athos-exports</c> as a new version, from one read of <c>AthosCalls</c>: every file of the
/// version first, partitioned by the call's UTC date, then <c>scores/_live.json</c> and last
/// <c>calls/current/_live.json</c>; then removes older versions past the grace period. A reader that follows a pointer
/// sees one whole version. Its caller holds the export's lock: one rebuild at a time (the pointers are also written
/// only over the one the rebuild read, so a rebuild that another overtook publishes nothing).
/// </summary>
internal sealed partial class CurrentExport(TableServiceClient tables, BlobServiceClient blobs, RosterReader roster, TimeProvider time, IOptions<ExportOptions> options, ILogger<CurrentExport> logger)
{
    public const string CallsDataset = "calls/current";
    public const string ScoresDataset = "scores";
    public const string AgentsDataset = "agents";

    private const string VersionFormat = "yyyyMMdd'T'HHmmss'Z'";
    private const int DatesAtOnce = 8;

    private readonly CrontabSchedule _schedule = options.Value.ParseRebuildSchedule();
    private readonly BlobContainerClient _container = blobs.GetBlobContainerClient(StorageNames.ExportsContainer);

    /// <summary>Whether an occurrence of <c>ATHOS_EXPORT_REBUILD_SCHEDULE</c> has passed since <paramref name="builtAt"/>, or nothing was ever built.</summary>
    public bool IsRebuildDue(DateTimeOffset now, DateTimeOffset? builtAt) =>
        builtAt is not { } built || _schedule.GetNextOccurrence(built.UtcDateTime) <= now.UtcDateTime;

    public async Task<CurrentExportSummary> RebuildAsync(CancellationToken cancellationToken)
    {
        var builtAt = time.GetUtcNow();
        var (callsLive, callsTag) = await ReadPointerAsync(CallsDataset, cancellationToken);
        var (scoresLive, scoresTag) = await ReadPointerAsync(ScoresDataset, cancellationToken);
        var (agentsLive, agentsTag) = await ReadPointerAsync(AgentsDataset, cancellationToken);
        var version = VersionAfter(builtAt, callsLive?.Version, scoresLive?.Version, agentsLive?.Version);

        // The rows wait in a local file between the scan and their date's files (deleted when the dates are written, or
        // when the rebuild fails), so memory is a row group per date being written, whatever the table holds. Dates are
        // written several at a time: most dates' two files are small, so the uploads' round trips, not the bytes, set the pace.
        var (calls, callFiles, scores, scoreFiles, bytes) = (0L, 0, 0L, 0, 0L);
        var totals = new Lock();
        using (var spill = await SpillCallsAsync(cancellationToken))
        {
            await Parallel.ForEachAsync(spill.Dates, new ParallelOptions { MaxDegreeOfParallelism = DatesAtOnce, CancellationToken = cancellationToken }, async (date, ct) =>
            {
                var partition = "date=" + date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "/";
                await using var callParts = new ParquetParts<CallRow>(_container, ExportVersions.Folder(CallsDataset, version) + partition, ExportColumns.Calls);
                await using var scoreParts = new ParquetParts<ScoreRow>(_container, ExportVersions.Folder(ScoresDataset, version) + partition, ExportColumns.Scores);
                await foreach (var row in spill.ReadAsync(date, ct))
                {
                    await callParts.AddAsync(row, ct);
                    foreach (var (path, value) in ScoreNumbers.Of(row.ScoreJson))
                    {
                        await scoreParts.AddAsync(new ScoreRow(row.CallId, path, value, row.EndedAt), ct);
                    }
                }

                // The date's two uploads at once.
                var written = await Task.WhenAll(callParts.CompleteAsync(ct), scoreParts.CompleteAsync(ct));
                lock (totals)
                {
                    (calls, callFiles, scores, scoreFiles) = (calls + written[0].Rows, callFiles + written[0].Files, scores + written[1].Rows, scoreFiles + written[1].Files);
                    bytes += written[0].Bytes + written[1].Bytes;
                }
            });
        }

        // The rep dimension, one file, streamed from the roster mirror (a row per rep).
        PartsWritten agentsWritten;
        await using (var agentParts = new ParquetParts<MirroredAgent>(_container, ExportVersions.Folder(AgentsDataset, version), ExportColumns.Agents))
        {
            await foreach (var agent in roster.ReadAllAsync(cancellationToken))
            {
                await agentParts.AddAsync(agent, cancellationToken);
            }

            agentsWritten = await agentParts.CompleteAsync(cancellationToken, evenEmpty: true);
        }

        bytes += agentsWritten.Bytes;

        // Scores and agents first: once calls/current names the version, so do they.
        await PublishAsync(AgentsDataset, new ExportPointer(version, builtAt.UtcDateTime, ExportVersions.Folder(AgentsDataset, version), agentsWritten.Rows, agentsWritten.Files), agentsTag, cancellationToken);
        await PublishAsync(ScoresDataset, new ExportPointer(version, builtAt.UtcDateTime, ExportVersions.Folder(ScoresDataset, version), scores, scoreFiles), scoresTag, cancellationToken);
        await PublishAsync(CallsDataset, new ExportPointer(version, builtAt.UtcDateTime, ExportVersions.Folder(CallsDataset, version), calls, callFiles), callsTag, cancellationToken);
        var now = time.GetUtcNow();
        Log.Rebuilt(logger, version, calls, callFiles, scores, scoreFiles, bytes, now - builtAt);

        var grace = options.Value.Grace;
        var removedCalls = await ExportVersions.RemoveAsync(_container, CallsDataset, callsLive?.Version, version, now, grace, cancellationToken);
        var removedScores = await ExportVersions.RemoveAsync(_container, ScoresDataset, scoresLive?.Version, version, now, grace, cancellationToken);
        var removedAgents = await ExportVersions.RemoveAsync(_container, AgentsDataset, agentsLive?.Version, version, now, grace, cancellationToken);
        var (removedVersions, removedFiles) = (removedCalls.Versions + removedScores.Versions + removedAgents.Versions, removedCalls.Files + removedScores.Files + removedAgents.Files);
        if (removedVersions > 0)
        {
            Log.Removed(logger, removedVersions, removedFiles, grace);
        }

        return new CurrentExportSummary(version, builtAt, calls, callFiles, scores, scoreFiles, bytes, removedVersions) { Agents = (int)agentsWritten.Rows };
    }

    // A version sorts after every published one, even when the clock is behind or two rebuilds start in one second.
    private static string VersionAfter(DateTimeOffset builtAt, params string?[] published)
    {
        var at = new DateTime(builtAt.UtcTicks - (builtAt.UtcTicks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        foreach (var live in published)
        {
            if (DateTime.TryParseExact(live, VersionFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var liveAt) && liveAt >= at)
            {
                at = liveAt.AddSeconds(1);
            }
        }

        return at.ToString(VersionFormat, CultureInfo.InvariantCulture);
    }

    // One read of AthosCalls, tombstones left out, spilled by the call's UTC date.
    private async Task<CallSpill> SpillCallsAsync(CancellationToken cancellationToken)
    {
        var spill = CallSpill.Create(options.Value.SpillFolder);
        try
        {
            var table = tables.GetTableClient(StorageNames.CallsTable);
            await using var pages = table.QueryAsync<CallRow>(TableClient.CreateQueryFilter($"Status ne {CallStatus.Erased}"), cancellationToken: cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
            var next = pages.MoveNextAsync().AsTask();
            try
            {
                while (await next)
                {
                    // The next page is asked for before this one is spilled: the scan goes at the table's pace.
                    var page = pages.Current;
                    next = pages.MoveNextAsync().AsTask();
                    foreach (var row in page.Values)
                    {
                        await spill.AddAsync(DateOnly.FromDateTime((row.IndexTime ?? row.ScoredAt ?? row.EnrichedAt ?? row.Timestamp ?? DateTimeOffset.UnixEpoch).UtcDateTime), row, cancellationToken);
                    }
                }
            }
            finally
            {
                // A page still coming when the spill failed ends before the enumerator does.
                await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await spill.FlushAsync(cancellationToken);
            return spill;
        }
        catch
        {
            spill.Dispose();
            throw;
        }
    }

    private async Task<(ExportPointer? Live, ETag? Tag)> ReadPointerAsync(string dataset, CancellationToken cancellationToken)
    {
        try
        {
            var content = (await _container.GetBlobClient(dataset + "/" + ExportPointer.FileName).DownloadContentAsync(cancellationToken)).Value;
            return (ExportPointer.FromJson(content.Content), content.Details.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.NotFound)
        {
            return (null, null);
        }
    }

    private async Task PublishAsync(string dataset, ExportPointer pointer, ETag? read, CancellationToken cancellationToken)
    {
        var conditions = read is { } tag ? new BlobRequestConditions { IfMatch = tag } : new BlobRequestConditions { IfNoneMatch = ETag.All };
        try
        {
            await _container.GetBlobClient(dataset + "/" + ExportPointer.FileName).UploadAsync(
                pointer.ToJson(),
                new BlobUploadOptions { Conditions = conditions, HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
                cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict)
        {
            throw new StorageConflictException($"Another rebuild published {dataset} while version {pointer.Version} was being built; {pointer.Version} is not published and the next rebuild removes it.", ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.CurrentExportRebuilt, Level = LogLevel.Information, Message = "Export rebuilt: version {Version} of calls/current ({Calls} calls, {CallFiles} files) and scores ({Scores} rows, {ScoreFiles} files), {Bytes} bytes in {Duration}")]
        public static partial void Rebuilt(ILogger logger, string version, long calls, int callFiles, long scores, int scoreFiles, long bytes, TimeSpan duration);

        [LoggerMessage(EventId = LogEvents.ExportVersionsRemoved, Level = LogLevel.Information, Message = "Export versions removed: {Versions} ({Files} files), replaced more than {Grace} ago or never published")]
        public static partial void Removed(ILogger logger, int versions, int files, TimeSpan grace);
    }
}
