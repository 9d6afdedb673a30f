namespace Athos.Webhooks.AthosApi;

/// <summary>
/// Reads every Athos answer to its last byte inside the attempt that received it. It sits inside the resilience
/// pipeline, under the attempt timeout and the total budget: a body that stalls after its headers is then a timed-out
/// attempt, retried like any other, rather than a read that hangs after the pipeline has already returned.
/// </summary>
internal sealed class ResponseBufferingHandler(TimeProvider time) : DelegatingHandler
{
    /// <summary>Detail bodies carry whole transcripts; far beyond any real one, this still bounds memory.</summary>
    public const long MaxResponseBytes = 32 * 1024 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        RetryBudget.MarkFirstAttempt(request, time);
        var response = await base.SendAsync(request, cancellationToken);
        try
        {
            if (response.Content.Headers.ContentLength is > MaxResponseBytes)
            {
                throw TooLarge(response.Content.Headers.ContentLength.Value, null);
            }

            // The token is this attempt's: the attempt timeout and the total budget both cancel it.
            await response.Content.LoadIntoBufferAsync(MaxResponseBytes, cancellationToken);
            return response;
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConfigurationLimitExceeded)
        {
            response.Dispose();
            throw TooLarge(null, ex);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static ResponseTooLargeException TooLarge(long? declared, Exception? inner) =>
        new($"Athos answered with a body {(declared is { } bytes ? $"of {bytes} bytes" : "longer than the limit")}; the limit is {MaxResponseBytes} bytes.", inner);
}
