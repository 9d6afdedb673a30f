using System.Diagnostics;
using System.Globalization;
using Athos.Webhooks.Telemetry;

namespace Athos.Webhooks.AthosApi;

/// <summary>
/// Counts every request the Athos client sends, inside the resilience pipeline, so that each attempt (a retry too) is
/// one request: <c>list</c> or <c>detail</c>, and the HTTP status, or <c>timeout</c> / <c>transport_error</c> when no
/// answer came. A refused key shows here as 401/403 at once, whatever the callers make of it.
/// </summary>
internal sealed class AthosRequestMetricsHandler(AthosMetrics metrics) : DelegatingHandler
{
    public const string List = "list";
    public const string Detail = "detail";
    public const string Timeout = "timeout";
    public const string TransportError = "transport_error";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var operation = OperationOf(request.RequestUri);
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            metrics.AthosRequestEnded(operation, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), Stopwatch.GetElapsedTime(started));
            return response;
        }
        catch (OperationCanceledException)
        {
            metrics.AthosRequestEnded(operation, Timeout, Stopwatch.GetElapsedTime(started));
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or ResponseTooLargeException)
        {
            metrics.AthosRequestEnded(operation, TransportError, Stopwatch.GetElapsedTime(started));
            throw;
        }
    }

    /// <summary><c>…/calls</c> is the list, <c>…/calls/{id}</c> a detail.</summary>
    internal static string OperationOf(Uri? uri) =>
        uri is not null && uri.AbsolutePath.TrimEnd('/').EndsWith("/calls", StringComparison.Ordinal) ? List : Detail;
}
