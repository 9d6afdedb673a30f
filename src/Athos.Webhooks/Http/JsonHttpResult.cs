using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Athos.Webhooks.Http;

/// <summary>
/// A status, an optional <c>Retry-After</c> and a source-generated JSON body. Both an <see cref="IResult"/> (minimal
/// APIs, the local runner) and an <see cref="IActionResult"/> (what Functions' ASP.NET Core integration executes),
/// so that both hosts answer byte for byte alike. An endpoint whose success and error bodies differ returns this base.
/// </summary>
internal abstract class JsonHttpResult(int statusCode, TimeSpan? retryAfter) : IResult, IActionResult
{
    public int StatusCode { get; } = statusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        if (retryAfter is { } delay)
        {
            response.Headers.RetryAfter = ((int)delay.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        response.ContentType = "application/json; charset=utf-8";
        await WriteBodyAsync(response.Body, httpContext.RequestAborted);
    }

    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ExecuteAsync(context.HttpContext);
    }

    private protected abstract Task WriteBodyAsync(Stream stream, CancellationToken cancellationToken);
}

/// <inheritdoc cref="JsonHttpResult"/>
internal sealed class JsonHttpResult<T>(int statusCode, T body, JsonTypeInfo<T> type, TimeSpan? retryAfter = null) : JsonHttpResult(statusCode, retryAfter)
{
    public T Body { get; } = body;

    private protected override Task WriteBodyAsync(Stream stream, CancellationToken cancellationToken) =>
        JsonSerializer.SerializeAsync(stream, Body, type, cancellationToken);
}
