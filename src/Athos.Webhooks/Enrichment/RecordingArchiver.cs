using System.Net;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;

namespace Athos.Webhooks.Enrichment;

/// <summary>
/// What became of a call's recording: the <c>RecordingStatus</c> and <c>RecordingError</c> columns, and, for a copy
/// still pending, whether this attempt staged part of it (<see cref="Continues"/>: the next attempt resumes at once).
/// </summary>
internal readonly record struct RecordingCopy(string? Status, string? Error, bool Continues = false)
{
    /// <summary>Archiving is switched off: nothing is tracked.</summary>
    public static RecordingCopy NotTracked { get; } = new(null, null);

    public static RecordingCopy Archived { get; } = new(RecordingStatus.Archived, null);

    public static RecordingCopy None { get; } = new(RecordingStatus.None, null);

    public static RecordingCopy Pending(string error) => new(RecordingStatus.Pending, error);

    public static RecordingCopy Failed(string error) => new(RecordingStatus.Failed, error);

    /// <summary>Part staged, the rest for another attempt: the attempt's time ran out while the host kept sending.</summary>
    public static RecordingCopy Unfinished(long staged, long? length) =>
        new(RecordingStatus.Pending, $"{staged} of {(length is { } l ? l.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?")} bytes copied; the copy resumes there", Continues: true);
}

/// <summary>
/// Copies a call's recording from Athos's short-lived signed link into <c>athos-recordings</c>, streamed, before Athos
/// deletes it, within one attempt's time: what does not fit is staged for the next attempt, which resumes with an HTTP
/// <c>Range</c> from the bytes already staged. An expired or refused link is renewed once by fetching the call again;
/// the link itself is never stored or logged. It runs after the call is committed, so a recording never costs a call.
/// </summary>
internal sealed partial class RecordingArchiver(
    RecordingDownloader downloader,
    RecordingArchive recordings,
    RecordingHostGuard guard,
    AthosClient athos,
    IOptions<EnrichmentOptions> options,
    TimeProvider time,
    ILogger<RecordingArchiver> logger)
{
    /// <summary>A link this close to its expiry is renewed before use rather than tried.</summary>
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait for the next bytes of a recording.</summary>
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The least an attempt cut short by its time must have added for the copy to carry on at once: a host slower than
    /// that is retried like a failing one (spaced, then deferred, then parked), so that a trickle cannot loop forever.
    /// </summary>
    private const long MinProgressBytes = 256 * 1024;

    /// <summary>
    /// Where the recording of <paramref name="call"/> stands when its version is committed, before any copy:
    /// <paramref name="stored"/>'s copy carries over, a call without one has none, and any other is pending.
    /// </summary>
    public RecordingCopy AtCommit(CallDetail call, CallRow? stored) =>
        !options.Value.ArchiveRecordings ? RecordingCopy.NotTracked
        : stored?.RecordingStatus == RecordingStatus.Archived ? RecordingCopy.Archived
        : call.AudioUrl is null ? RecordingCopy.None
        : new RecordingCopy(RecordingStatus.Pending, null);

    /// <summary>
    /// Makes sure the recording of <paramref name="call"/> is archived, and says where it stands. <paramref name="stored"/>
    /// is the call's row (its status is trusted when it says <c>archived</c>). When <paramref name="stop"/> fires the copy
    /// stages what it holds and returns <see cref="RecordingCopy.Continues"/>. With <paramref name="resume"/> it starts
    /// after the blocks earlier attempts staged (a request to list them); without, from the first byte (restaging under
    /// the same ids is harmless), which is what the first copy of a new call does.
    /// </summary>
    public async Task<RecordingCopy> ArchiveAsync(CallId callId, CallDetail call, CallVersion version, CallRow? stored, bool resume, CancellationToken stop, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var settings = options.Value;
        if (!settings.ArchiveRecordings)
        {
            return RecordingCopy.NotTracked;
        }

        if (stored?.RecordingStatus == RecordingStatus.Archived)
        {
            return RecordingCopy.Archived;
        }

        if (call.AudioUrl is null)
        {
            return RecordingCopy.None;
        }

        if (await recordings.ExistsAsync(callId.Value, cancellationToken))
        {
            return RecordingCopy.Archived;
        }

        var detail = call;
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            if (attempt > 1 || detail.AudioUrlExpiresAt <= time.GetUtcNow() + ExpiryMargin)
            {
                try
                {
                    detail = (await athos.GetCallAsync(callId, cancellationToken)).Call;
                }
                catch (AthosApiException ex)
                {
                    return Report(callId, RecordingCopy.Pending($"The recording link could not be renewed: {ex.Message}"));
                }

                if (detail.AudioUrl is null)
                {
                    return Report(callId, RecordingCopy.None);
                }
            }

            if (guard.RefuseLink(detail.AudioUrl, out var link) is { } refused)
            {
                return Report(callId, RecordingCopy.Failed(refused));
            }

            var copy = await DownloadAsync(callId, link, version, settings.RecordingMaxBytes, resume, stop, cancellationToken);
            if (copy is { } done)
            {
                return Report(callId, done);
            }
        }

        return Report(callId, RecordingCopy.Failed("The recording host refused the link twice, the second time freshly renewed (403)."));
    }

    /// <summary>The copy's result, or <see langword="null"/> when the link was refused (expired) and should be renewed.</summary>
    private async Task<RecordingCopy?> DownloadAsync(CallId callId, Uri link, CallVersion version, long maxBytes, bool resume, CancellationToken stop, CancellationToken cancellationToken)
    {
        var blocks = resume ? await recordings.StagedAsync(callId.Value, cancellationToken) : StagedBlocks.None;
        var staged = blocks.Longest();
        var before = staged.Length;
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop);
        try
        {
            var response = await downloader.OpenAsync(link, staged.Length, attempt.Token);
            try
            {
                var skip = 0L;
                if (staged.Length > 0)
                {
                    switch (response)
                    {
                        case { StatusCode: HttpStatusCode.RequestedRangeNotSatisfiable } when response.Content.Headers.ContentRange?.Length is { } whole && whole == staged.Length && staged.Total == whole:
                            // An attempt stopped just after the last byte: everything is staged.
                            return Archived(callId, link, await recordings.CommitAsync(callId.Value, staged, ContentType(response), version, cancellationToken));
                        case { StatusCode: HttpStatusCode.RequestedRangeNotSatisfiable }:
                        case { StatusCode: HttpStatusCode.PartialContent } when (response.Content.Headers.ContentRange?.Length ?? 0) != staged.Total:
                            // The staged bytes are not of this recording (another length): start again from the first byte.
                            response.Dispose();
                            staged = StagedRecording.Nothing;
                            response = await downloader.OpenAsync(link, 0, attempt.Token);
                            break;
                        case { StatusCode: HttpStatusCode.PartialContent } when response.Content.Headers.ContentRange?.From != staged.Length:
                            return RecordingCopy.Pending($"The recording host answered a range other than the one asked for ({link.Host}).");
                        case { StatusCode: HttpStatusCode.OK }:
                            // The host ignored the range: the bytes staged of a recording this long are read again and dropped.
                            staged = blocks.Prefix(response.Content.Headers.ContentLength ?? 0);
                            skip = staged.Length;
                            break;
                    }
                }

                return await CopyAsync(callId, link, response, staged, skip, before, version, maxBytes, stop, cancellationToken);
            }
            finally
            {
                response.Dispose();
            }
        }
        catch (RecordingTooLargeException ex)
        {
            return TooLarge(null, ex.MaxBytes);
        }
        catch (HttpRequestException ex) when (ex.InnerException is RecordingHostRefusedException refused)
        {
            // Permanent for this link: a rescan asks again only if Athos gives another.
            return RecordingCopy.Failed(refused.Message);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return RecordingCopy.Pending($"The attempt's time ran out before {link.Host} answered.");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return RecordingCopy.Pending($"The download from {link.Host} was interrupted ({ex.GetType().Name}: {ex.Message}).");
        }
    }

    private async Task<RecordingCopy?> CopyAsync(CallId callId, Uri link, HttpResponseMessage response, StagedRecording staged, long skip, long before, CallVersion version, long maxBytes, CancellationToken stop, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized or HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            return null;
        }

        if (status is >= 500 or 408 or 429)
        {
            return RecordingCopy.Pending($"The recording host answered {status} ({link.Host}).");
        }

        if (!response.IsSuccessStatusCode)
        {
            return RecordingCopy.Failed($"The recording host answered {status} ({link.Host}).");
        }

        var length = response.Content.Headers.ContentRange?.Length ?? response.Content.Headers.ContentLength;
        if (length > maxBytes)
        {
            return TooLarge(length, maxBytes);
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var progress = await recordings.WriteAsync(callId.Value, body, staged, skip, length, ContentType(response), version, maxBytes, ReadTimeout, stop, cancellationToken);
        if (progress.Committed)
        {
            return Archived(callId, link, progress);
        }

        // Only bytes beyond the most that was staged when the attempt began count: a host that ignores ranges (or whose
        // recording changed length) and is too slow to get past them makes no progress, and is retried like a failing one.
        var added = progress.Length - before;
        return added >= MinProgressBytes
            ? RecordingCopy.Unfinished(progress.Length, length)
            : RecordingCopy.Pending($"The recording host sent too little in the attempt's time ({link.Host}); {progress.Length} of {length?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} bytes copied so far.");
    }

    private RecordingCopy Archived(CallId callId, Uri link, RecordingProgress progress)
    {
        Log.Archived(logger, callId.Value, progress.Length, link.Host);
        return RecordingCopy.Archived;
    }

    // Stored as served only when it says audio: the blob is read by consumers' tools, whatever the host claims.
    private static string ContentType(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType is { } media && media.StartsWith("audio/", StringComparison.OrdinalIgnoreCase)
            ? media
            : "application/octet-stream";

    private static RecordingCopy TooLarge(long? length, long maxBytes) =>
        RecordingCopy.Failed($"too_large: the recording is {(length is { } l ? $"{l} bytes" : "larger than the limit")}; {EnrichmentOptions.RecordingMaxBytesSetting} is {maxBytes}.");

    private RecordingCopy Report(CallId callId, RecordingCopy copy)
    {
        if (copy.Status is RecordingStatus.Pending or RecordingStatus.Failed && !copy.Continues)
        {
            Log.NotArchived(logger, callId.Value, copy.Status, copy.Error);
        }

        return copy;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RecordingArchived, Level = LogLevel.Information, Message = "Recording of call {CallId} archived: {Bytes} bytes from {RecordingHost}")]
        public static partial void Archived(ILogger logger, string callId, long bytes, string recordingHost);

        [LoggerMessage(EventId = LogEvents.RecordingNotArchived, Level = LogLevel.Warning, Message = "Recording of call {CallId} not archived ({RecordingStatus}): {RecordingError}")]
        public static partial void NotArchived(ILogger logger, string callId, string? recordingStatus, string? recordingError);
    }
}
