using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace Athos.Simulator;

/// <summary>
/// Athos's recording host: serves the signed links of <see cref="RecordingLinks"/>. It is not the API: it knows no
/// API key and answers plain text, not the error envelope. It refuses what a cloud storage signed URL refuses: any
/// method but <c>GET</c> (a <c>HEAD</c> included), a request carrying <c>Authorization</c>, a bad signature and an
/// expired link, all with 403. A <c>GET</c> streams the bytes chunk by chunk from a pooled buffer, whole or one
/// <c>Range</c>, so that a large download costs the process that hosts the simulator no more than one chunk.
/// </summary>
internal sealed class RecordingEndpoint(CallStore store, RecordingLinks links, SimulatorFaults faults, RequestLog requests, TimeProvider time)
{
    private const int ChunkSize = 64 * 1024;

    public void Map(IEndpointRouteBuilder app) =>
        app.Map(RecordingLinks.PathPrefix + "{callId}" + RecordingLinks.FileExtension, ServeAsync);

    private async Task ServeAsync(HttpContext context, string callId)
    {
        var request = context.Request;
        var withAuthorization = request.Headers.ContainsKey(HeaderNames.Authorization);
        requests.CountRecordingRequest(callId, withAuthorization, HttpMethods.IsHead(request.Method));
        if (!HttpMethods.IsGet(request.Method))
        {
            await RefuseAsync(context, 403, "METHOD_NOT_ALLOWED", "The link is signed for GET only.");
            return;
        }

        if (withAuthorization)
        {
            await RefuseAsync(context, 403, "AUTHORIZATION_NOT_ALLOWED", "The link is its own credential; a request carrying Authorization is refused.");
            return;
        }

        var now = time.GetUtcNow();
        if (!links.IsSigned(callId, request.Query["expires"], request.Query["sig"], out var expires))
        {
            await RefuseAsync(context, 403, "SIGNATURE_MISMATCH", "The link's signature does not match.");
            return;
        }

        if (now.ToUnixTimeSeconds() > expires)
        {
            await RefuseAsync(context, 403, "LINK_EXPIRED", "The link has expired; fetch the call again for a fresh one.");
            return;
        }

        var requestKey = "recording:" + callId;
        var attempt = requests.Count(ApiOperation.Recording, requestKey, callId);
        if (await faults.InjectAsync(new ApiRequestInfo(ApiOperation.Recording, callId, 0, attempt), requestKey, time, context.RequestAborted) is { } fault)
        {
            if (fault.RetryAfterHeader(time.GetUtcNow()) is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }

            await RefuseAsync(context, fault.Status, fault.ErrorCode, "Injected fault.");
            return;
        }

        if (store.Find(callId) is not { RecordingBytes: { } length } call || RecordingLinks.IsDeleted(call, now))
        {
            await RefuseAsync(context, 404, "RECORDING_NOT_FOUND", "No such recording (Athos deletes recordings 30 days after the call).");
            return;
        }

        var response = context.Response;
        response.Headers.AcceptRanges = "bytes";
        long first = 0, last = length - 1;
        if (SingleRange(request) is { } range)
        {
            if (!TryResolve(range, length, out first, out last))
            {
                response.Headers.ContentRange = new ContentRangeHeaderValue(length).ToString();
                await RefuseAsync(context, 416, "RANGE_NOT_SATISFIABLE", "The range is outside the recording.");
                return;
            }

            response.StatusCode = 206;
            response.Headers.ContentRange = new ContentRangeHeaderValue(first, last, length).ToString();
        }
        else
        {
            response.StatusCode = 200;
        }

        response.ContentType = SimulatedRecording.ContentType;
        response.ContentLength = last - first + 1;
        await StreamAsync(response, call.RecordingSeed, first, last, faults.RecordingBytesPerSecond, context.RequestAborted);
    }

    private async Task StreamAsync(HttpResponse response, int seed, long first, long last, long bytesPerSecond, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var started = time.GetTimestamp();
        try
        {
            for (var position = first; position <= last;)
            {
                var count = (int)Math.Min(ChunkSize, last - position + 1);
                SimulatedRecording.Fill(seed, position, buffer.AsSpan(0, count));
                await response.Body.WriteAsync(buffer.AsMemory(0, count), cancellationToken);
                position += count;
                if (bytesPerSecond > 0)
                {
                    await response.Body.FlushAsync(cancellationToken);

                    // Paced: each chunk leaves no sooner than the rate allows.
                    var due = TimeSpan.FromSeconds((double)(position - first) / bytesPerSecond) - time.GetElapsedTime(started);
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, time, cancellationToken);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The one byte range asked for; several ranges, another unit or a malformed header are ignored (RFC 9110 allows it).</summary>
    private static RangeItemHeaderValue? SingleRange(HttpRequest request) =>
        request.GetTypedHeaders().Range is { Unit.Value: "bytes", Ranges.Count: 1 } range ? range.Ranges.Single() : null;

    private static bool TryResolve(RangeItemHeaderValue range, long length, out long first, out long last)
    {
        (first, last) = (range.From, range.To) switch
        {
            ({ } from, { } to) => (from, Math.Min(to, length - 1)),
            ({ } from, null) => (from, length - 1),
            (null, { } suffix) => (Math.Max(0, length - suffix), length - 1),
            _ => (0, -1),
        };
        return first <= last && first < length;
    }

    private static async Task RefuseAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{code}: {message}\n")), context.RequestAborted);
    }
}
