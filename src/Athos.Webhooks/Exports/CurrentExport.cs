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
    private const int DatesAtOnce = 4;

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

        // Dates are written a few at a time: a date's two files are small, so the uploads' round trips, not the bytes, set the pace.
        var (calls, callFiles, scores, scoreFiles, bytes) = (0L, 0, 0L, 0, 0L);
        var totals = new Lock();
        await Parallel.ForEachAsync(await ReadCallsByDateAsync(cancellationToken), new ParallelOptions { MaxDegreeOfParallelism = DatesAtOnce, CancellationToken = cancellationToken }, async (day, ct) =>
        {
            var (date, rows) = day;
            var partition = "date=" + date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "/";
            var callsWritten = await ParquetParts.WriteAsync(_container, ExportVersions.Folder(CallsDataset, version) + partition, ExportColumns.Calls, rows, ct);
            var numbers = rows.SelectMany(r => ScoreNumbers.Of(r.ScoreJson).Select(n => new ScoreRow(r.CallId, n.Path, n.Value, r.EndedAt))).ToList();
            var scoresWritten = await ParquetParts.WriteAsync(_container, ExportVersions.Folder(ScoresDataset, version) + partition, ExportColumns.Scores, numbers, ct);
            lock (totals)
            {
                (calls, callFiles, scores, scoreFiles) = (calls + rows.Count, callFiles + callsWritten.Files, scores + numbers.Count, scoreFiles + scoresWritten.Files);
                bytes += callsWritten.Bytes + scoresWritten.Bytes;
            }
        });

        // The rep dimension, one file: the roster mirror is small (a row per rep) and read whole.
        var agents = await roster.ReadAllAsync(cancellationToken).ToListAsync(cancellationToken);
        var agentsWritten = await ParquetParts.WriteAsync(_container, ExportVersions.Folder(AgentsDataset, version), ExportColumns.Agents, agents, cancellationToken, evenEmpty: true);
        bytes += agentsWritten.Bytes;

        // Scores and agents first: once calls/current names the version, so do they.
        await PublishAsync(AgentsDataset, new ExportPointer(version, builtAt.UtcDateTime, ExportVersions.Folder(AgentsDataset, version), agents.Count, agentsWritten.Files), agentsTag, cancellationToken);
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

        return new CurrentExportSummary(version, builtAt, calls, callFiles, scores, scoreFiles, bytes, removedVersions) { Agents = agents.Count };
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

    // One read of AthosCalls, tombstones left out, grouped by the call's UTC date. The rows are held (a day's file is then
    // written in one go); their Parquet bytes never are.
    private async Task<SortedDictionary<DateOnly, List<CallRow>>> ReadCallsByDateAsync(CancellationToken cancellationToken)
    {
        var byDate = new SortedDictionary<DateOnly, List<CallRow>>();
        var table = tables.GetTableClient(StorageNames.CallsTable);
        await foreach (var row in table.QueryAsync<CallRow>(TableClient.CreateQueryFilter($"Status ne {CallStatus.Erased}"), cancellationToken: cancellationToken))
        {
            var date = DateOnly.FromDateTime((row.IndexTime ?? row.ScoredAt ?? row.EnrichedAt ?? row.Timestamp ?? DateTimeOffset.UnixEpoch).UtcDateTime);
            if (!byDate.TryGetValue(date, out var rows))
            {
                byDate[date] = rows = [];
            }

            rows.Add(row);
        }

        return byDate;
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
