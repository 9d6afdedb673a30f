using System.Globalization;
using System.Text;
using System.Text.Json;
using Athos.Webhooks.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;

namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>Builds webhook HTTP requests for the function class, and reads what it answered.</summary>
public static class WebhookRequests
{
    /// <summary>A <c>call.scored</c> body; <paramref name="occurredAt"/> defaults to now (a webhook sent as the call is scored).</summary>
    public static byte[] CallScored(string callId, bool success = true, string webhookRequestId = "req_00000000-0000-0000-0000-000000000001", string? reason = null, DateTimeOffset? occurredAt = null) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["event"] = WebhookEventTypes.CallScored,
            ["success"] = success,
            ["callId"] = callId,
            ["source"] = "roleplay",
            ["externalUserId"] = "rep_8842",
            ["externalAgencyId"] = "agency_chicago",
            ["occurredAt"] = (occurredAt ?? DateTimeOffset.UtcNow).ToString("O", CultureInfo.InvariantCulture),
            ["requestId"] = webhookRequestId,
            ["reason"] = success ? null : reason ?? "SCORING_INCOMPLETE",
            ["reasonMessage"] = success ? null : "The call ended before enough of the conversation could be scored.",
        }.Where(p => p.Value is not null).ToDictionary()));

    public static HttpRequest Build(byte[] body, string? signature, string? webhookId, string? contentType = "application/json")
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = "POST";
        request.Path = WebhookHttpEndpoint.Path;
        request.Body = new MemoryStream(body);
        request.ContentLength = body.Length;
        request.ContentType = contentType;
        if (signature is not null)
        {
            request.Headers[WebhookSignature.HeaderName] = signature;
        }

        if (webhookId is not null)
        {
            request.Headers[WebhookHttpEndpoint.WebhookIdHeader] = webhookId;
        }

        context.Response.Body = new MemoryStream();
        return request;
    }

    /// <summary>Executes the function's result as the Functions host would, and returns status, body and headers.</summary>
    public static async Task<Answer> ExecuteAsync(IActionResult result, HttpRequest request)
    {
        var context = request.HttpContext;
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        context.Response.Body.Position = 0;
        var json = await JsonDocument.ParseAsync(context.Response.Body);
        return new Answer(context.Response.StatusCode, json.RootElement.Clone(), context.Response.Headers.RetryAfter.ToString());
    }

    public sealed record Answer(int Status, JsonElement Body, string RetryAfter)
    {
        public string? StatusText => Body.TryGetProperty("status", out var s) ? s.GetString() : null;

        public string? ErrorCode => Body.TryGetProperty("error", out var e) ? e.GetProperty("code").GetString() : null;
    }
}
