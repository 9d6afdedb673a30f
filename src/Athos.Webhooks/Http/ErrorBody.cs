using System.Text.Json;
using System.Text.Json.Serialization;

namespace Athos.Webhooks.Http;

/// <summary>The body of an HTTP error answer: <c>{"error":{"code","message","field"?}}</c>.</summary>
internal sealed record ErrorBody(ApiError Error)
{
    /// <summary>An error answer with this status.</summary>
    public static JsonHttpResult<ErrorBody> Result(int statusCode, string code, string message, string? field = null) =>
        new(statusCode, new ErrorBody(new ApiError(code, message, field)), ErrorJsonContext.Default.ErrorBody);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ErrorBody))]
internal sealed partial class ErrorJsonContext : JsonSerializerContext;
