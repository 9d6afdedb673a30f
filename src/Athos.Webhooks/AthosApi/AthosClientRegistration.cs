using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.AthosApi;

/// <summary>Registers <see cref="AthosClient"/> as a typed client behind the standard resilience pipeline.</summary>
internal static class AthosClientRegistration
{
    /// <summary>Detail bodies carry whole transcripts; far beyond any real one, this still bounds memory.</summary>
    private const long MaxResponseBytes = 32 * 1024 * 1024;

    public static IHttpClientBuilder AddAthosClient(this IServiceCollection services)
    {
        var builder = services.AddHttpClient<AthosClient>((provider, http) =>
        {
            var options = provider.GetRequiredService<IOptions<AthosApiOptions>>().Value;
            http.BaseAddress = WithTrailingSlash(options.BaseUrl);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
            http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Athos.Webhooks", "1.0"));
            http.MaxResponseContentBufferSize = MaxResponseBytes;
            // The resilience pipeline owns every timeout.
            http.Timeout = Timeout.InfiniteTimeSpan;
        });

        builder.AddStandardResilienceHandler().Configure((resilience, provider) =>
        {
            var options = provider.GetRequiredService<IOptions<AthosApiOptions>>().Value;
            var time = provider.GetRequiredService<TimeProvider>();
            var logger = provider.GetRequiredService<ILogger<AthosClient>>();

            resilience.TotalRequestTimeout.Timeout = options.TotalTimeout;
            resilience.AttemptTimeout.Timeout = options.AttemptTimeout;

            // Retries cover transport errors, timeouts, 408, 429 and 5xx (the standard predicate); never 4xx such as CALL_NOT_FOUND.
            resilience.Retry.MaxRetryAttempts = options.MaxRetries;
            resilience.Retry.Delay = options.RetryDelay;
            resilience.Retry.BackoffType = Polly.DelayBackoffType.Exponential;
            resilience.Retry.UseJitter = true;
            resilience.Retry.ShouldRetryAfterHeader = false;
            // Our own Retry-After reading, on the injected clock, for both the seconds and the HTTP-date forms.
            resilience.Retry.DelayGenerator = args =>
                new ValueTask<TimeSpan?>(args.Outcome.Result is { } response && RetryAfter.TryGetDelay(response, time.GetUtcNow(), out var delay) ? delay : null);
            resilience.Retry.OnRetry = args =>
            {
                var response = args.Outcome.Result;
                AthosClientLog.Retrying(
                    logger,
                    args.AttemptNumber + 1,
                    args.RetryDelay,
                    response is null ? null : (int)response.StatusCode,
                    response is null ? null : AthosClient.GetRequestId(response),
                    args.Outcome.Exception?.GetType().Name);
                return ValueTask.CompletedTask;
            };

            // The breaker opens when half the calls of a window fail, so a dead Athos is not hammered by every worker.
            resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, options.AttemptTimeout.Ticks * 2));
            resilience.CircuitBreaker.FailureRatio = 0.5;
            resilience.CircuitBreaker.MinimumThroughput = 10;
            resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(15);
        });

        return builder;
    }

    private static Uri WithTrailingSlash(Uri baseUrl) =>
        baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
}
