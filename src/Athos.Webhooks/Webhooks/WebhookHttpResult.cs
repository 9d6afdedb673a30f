using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Athos.Webhooks.Webhooks;

/// <summary>
/// Writes a <see cref="WebhookOutcome"/>: its status, <c>Retry-After</c> when set, and
/// <c>{"status":…}</c> or <c>{"error":{"code","message","field"}}</c>. Both an <see cref="IResult"/> (minimal APIs) and
/// an <see cref="IActionResult"/> (what Functions' ASP.NET Core integration executes).
/// </summary>
public sealed class WebhookHttpResult(WebhookOutcome outcome) : IResult, IActionResult
{
    public WebhookOutcome Outcome { get; } = outcome;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = Outcome.StatusCode;
        if (Outcome.RetryAfter is { } retryAfter)
        {
            response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(response.Body, new WebhookAnswer(Outcome.Status, Outcome.Error), WebhookJsonContext.Default.WebhookAnswer, httpContext.RequestAborted);
    }

    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ExecuteAsync(context.HttpContext);
    }
}

internal sealed record WebhookAnswer(string? Status, WebhookError? Error);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WebhookAnswer))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
