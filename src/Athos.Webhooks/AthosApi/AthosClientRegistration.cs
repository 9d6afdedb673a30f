using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Athos.Webhooks.AthosApi;

/// <summary>Registers <see cref="AthosClient"/> as a typed client behind the standard resilience pipeline.</summary>
/// <remarks>
/// The pipeline, outermost first: a concurrency limiter (<see cref="AthosApiOptions.MaxConcurrency"/>, callers queue),
/// the total budget, retries, the circuit breaker, the attempt timeout, and then <see cref="ResponseBufferingHandler"/>,
/// which reads each body inside its attempt.
/// </remarks>
internal static class AthosClientRegistration
{
    public static IHttpClientBuilder AddAthosClient(this IServiceCollection services)
    {
        var builder = services.AddHttpClient<AthosClient>((provider, http) =>
        {
            var options = provider.GetRequiredService<IOptions<AthosApiOptions>>().Value;
            http.BaseAddress = WithTrailingSlash(options.BaseUrl);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
            http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Athos.Webhooks", "1.0"));
            http.MaxResponseContentBufferSize = ResponseBufferingHandler.MaxResponseBytes;
            // The resilience pipeline owns every timeout; the body is read inside it (ResponseBufferingHandler).
            http.Timeout = Timeout.InfiniteTimeSpan;
        });

        builder.AddStandardResilienceHandler().Configure((resilience, provider) =>
        {
            var options = provider.GetRequiredService<IOptions<AthosApiOptions>>().Value;
            var time = provider.GetRequiredService<TimeProvider>();
            var logger = provider.GetRequiredService<ILogger<AthosClient>>();

            // One limiter per instance, shared by list and detail requests: a permit is held for a request's whole
            // pipeline (retries and waits included), and callers beyond the cap queue until their own token gives up.
            resilience.RateLimiter.DefaultRateLimiterOptions.PermitLimit = options.MaxConcurrency;
            resilience.RateLimiter.DefaultRateLimiterOptions.QueueLimit = int.MaxValue;

            resilience.TotalRequestTimeout.Timeout = options.TotalTimeout;
            resilience.AttemptTimeout.Timeout = options.AttemptTimeout;

            // Retries cover transport errors, timeouts, 408, 429 and 5xx (the standard predicate); never 4xx such as
            // CALL_NOT_FOUND, and never a Retry-After that the rest of the budget cannot honour (RetryBudget).
            resilience.Retry.MaxRetryAttempts = options.MaxRetries;
            resilience.Retry.Delay = options.RetryDelay;
            resilience.Retry.BackoffType = DelayBackoffType.Exponential;
            resilience.Retry.UseJitter = true;
            resilience.Retry.ShouldRetryAfterHeader = false;
            var transient = resilience.Retry.ShouldHandle;
            resilience.Retry.ShouldHandle = async args =>
            {
                if (!await transient(args))
                {
                    return false;
                }

                if (args.Outcome.Result is not { } response || !RetryAfter.TryGetDelay(response, time.GetUtcNow(), out var delay))
                {
                    return true;
                }

                var remaining = RetryBudget.Remaining(args.Context.GetRequestMessage(), options, time);
                if (RetryBudget.Allows(delay, remaining, options))
                {
                    return true;
                }

                AthosClientLog.WaitBeyondBudget(logger, (int)response.StatusCode, delay, remaining, AthosClient.GetRequestId(response));
                return false;
            };

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

            // The breaker opens when half the attempts of a window fail in a way that means Athos is down, so a dead
            // Athos is not hammered by every worker; one call's own failures (a 500 for one id) never count.
            resilience.CircuitBreaker.ShouldHandle = args => new ValueTask<bool>(AthosOutage.Indicates(args.Outcome));
            resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, options.AttemptTimeout.Ticks * 2));
            resilience.CircuitBreaker.FailureRatio = 0.5;
            resilience.CircuitBreaker.MinimumThroughput = 10;
            resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(15);
        });

        // Added after the standard handler, so inside it: each attempt is counted (Athos.Webhooks metrics), and reads its
        // whole body under the attempt's token.
        // Transient, as the factory wants a handler per handler chain it builds.
        services.AddTransient<AthosRequestMetricsHandler>();
        services.AddTransient<ResponseBufferingHandler>();
        builder.AddHttpMessageHandler<AthosRequestMetricsHandler>();
        builder.AddHttpMessageHandler<ResponseBufferingHandler>();
        return builder;
    }

    private static Uri WithTrailingSlash(Uri baseUrl) =>
        baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
}
