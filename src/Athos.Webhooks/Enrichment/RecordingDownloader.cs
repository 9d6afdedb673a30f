namespace Athos.Webhooks.Enrichment;

/// <summary>
/// Opens recording links. A typed client of its own, deliberately not <see cref="AthosApi.AthosClient"/>: the link is
/// signed, so it needs no credentials, and the Athos client would send the API key to whatever host serves the
/// recording. No logging handlers either: the link's query string is a credential. Its timeouts are the caller's,
/// sized for a file rather than an API call.
/// </summary>
internal sealed class RecordingDownloader(HttpClient http)
{
    /// <summary>Redirects followed from a link (each hop is checked by <see cref="RecordingHostGuard"/>).</summary>
    public const int MaxRedirects = 3;

    /// <summary>Sends <c>GET</c> (from byte <paramref name="from"/> on, when it is not 0) and returns once the headers are in; the caller streams the body.</summary>
    public async Task<HttpResponseMessage> OpenAsync(Uri link, long from, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, link);
        if (from > 0)
        {
            request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(from, null);
        }

        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }
}
