using System.Net;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Telemetry;

namespace Athos.Webhooks.Enrichment;

/// <summary>What became of a call's recording: the <c>RecordingStatus</c> and <c>RecordingError</c> columns.</summary>
internal readonly record struct RecordingCopy(string? Status, string? Error)
{
    /// <summary>Archiving is switched off: nothing is tracked.</summary>
    public static RecordingCopy NotTracked { get; } = new(null, null);

    public static RecordingCopy Archived { get; } = new(RecordingStatus.Archived, null);

    public static RecordingCopy None { get; } = new(RecordingStatus.None, null);

    public static RecordingCopy Pending(string error) => new(RecordingStatus.Pending, error);

    public static RecordingCopy Failed(string error) => new(RecordingStatus.Failed, error);
}

/// <summary>
/// Copies a call's recording from Athos's short-lived signed link into <c>athos-recordings</c>, streamed, before Athos
/// deletes it. An expired or refused link is renewed once by fetching the call again; the link itself is never stored
/// or logged. Failures become a status on the row (the daily rescan retries them), never a lost call.
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

    /// <summary>The slowest transfer accepted: a file's time budget is a minute plus its size at this rate.</summary>
    private const double MinBytesPerSecond = 256 * 1024;

    /// <summary>
    /// Makes sure the recording of <paramref name="call"/> is archived, and says where it stands. <paramref name="stored"/>
    /// is the call's row as it was before this version (its status is trusted when it says <c>archived</c>).
    /// </summary>
    public async Task<RecordingCopy> ArchiveAsync(CallId callId, CallDetail call, CallVersion version, CallRow? stored, CancellationToken cancellationToken)
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

            var copy = await DownloadAsync(callId, link, version, settings.RecordingMaxBytes, cancellationToken);
            if (copy is { } done)
            {
                return Report(callId, done);
            }
        }

        return Report(callId, RecordingCopy.Failed("The recording host refused the link twice, the second time freshly renewed (403)."));
    }

    /// <summary>The copy's result, or <see langword="null"/> when the link was refused (expired) and should be renewed.</summary>
    private async Task<RecordingCopy?> DownloadAsync(CallId callId, Uri link, CallVersion version, long maxBytes, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeFor(maxBytes));
        try
        {
            using var response = await downloader.OpenAsync(link, deadline.Token);
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

            if (response.Content.Headers.ContentLength is { } length)
            {
                if (length > maxBytes)
                {
                    return TooLarge(length, maxBytes);
                }

                deadline.CancelAfter(TimeFor(length));
            }

            // Stored as served only when it says audio: the blob is read by consumers' tools, whatever the host claims.
            var contentType = response.Content.Headers.ContentType?.MediaType is { } media && media.StartsWith("audio/", StringComparison.OrdinalIgnoreCase)
                ? media
                : "application/octet-stream";
            await using var body = await response.Content.ReadAsStreamAsync(deadline.Token);
            var written = await recordings.WriteAsync(callId.Value, body, contentType, version, maxBytes, ReadTimeout, deadline.Token);
            if (written is { } bytes)
            {
                Log.Archived(logger, callId.Value, bytes, link.Host);
            }

            return RecordingCopy.Archived;
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
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return RecordingCopy.Pending($"The download from {link.Host} was interrupted ({ex.GetType().Name}).");
        }
    }

    private static RecordingCopy TooLarge(long? length, long maxBytes) =>
        RecordingCopy.Failed($"too_large: the recording is {(length is { } l ? $"{l} bytes" : "larger than the limit")}; {EnrichmentOptions.RecordingMaxBytesSetting} is {maxBytes}.");

    private static TimeSpan TimeFor(long bytes) => TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(bytes / MinBytesPerSecond);

    private RecordingCopy Report(CallId callId, RecordingCopy copy)
    {
        if (copy.Status is RecordingStatus.Pending or RecordingStatus.Failed)
        {
            Log.NotArchived(logger, callId.Value, copy.Status, copy.Error);
        }

        return copy;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RecordingArchived, Level = LogLevel.Information, Message = "Recording of call {CallId} archived: {Bytes} bytes from {RecordingHost}")]
        public static partial void Archived(ILogger logger, string callId, long bytes, string recordingHost);

        [LoggerMessage(EventId = LogEvents.RecordingNotArchived, Level = LogLevel.Warning, Message = "Recording of call {CallId} not archived ({RecordingStatus}): {RecordingError}; the daily rescan tries again while Athos keeps it")]
        public static partial void NotArchived(ILogger logger, string callId, string? recordingStatus, string? recordingError);
    }
}
