using System.Net;

namespace Athos.Webhooks.AthosApi;

/// <summary>
/// Any failed Athos request: an error envelope, an unexpected status, a transport failure or an exhausted retry budget.
/// </summary>
/// <remarks>
/// Callers branch on <see cref="Kind"/> (derived from the Athos error <see cref="ErrorCode"/> first, the HTTP status
/// second), never on the message. <see cref="RequestId"/> is Athos's <c>X-Athos-Request-Id</c>, to be logged with
/// every failure and quoted to Athos support.
/// </remarks>
internal sealed class AthosApiException : Exception
{
    public AthosApiException(AthosErrorKind kind, string message, int? status = null, string? errorCode = null, string? requestId = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Status = status;
        ErrorCode = errorCode;
        RequestId = requestId;
    }


    public AthosErrorKind Kind { get; }

    /// <summary>The HTTP status Athos answered with, or <see langword="null"/> when no response arrived.</summary>
    public int? Status { get; }

    /// <summary>The <c>error.code</c> of Athos's envelope (for example <c>CALL_NOT_FOUND</c>), when there was one.</summary>
    public string? ErrorCode { get; }

    /// <summary>Athos's request id (<c>req_…</c>), from the envelope or the <c>X-Athos-Request-Id</c> header.</summary>
    public string? RequestId { get; }

    /// <summary>
    /// How long Athos asked us to wait (<c>Retry-After</c> on a 429 or 503, either form), when it said. A delay longer
    /// than the request's remaining budget is not slept on: the client gives up at once, and the caller re-schedules
    /// the work this far ahead instead of spending its attempts.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// The contract's table of error codes, with the HTTP status as the fallback for codes it does not list.
    /// </summary>
    internal static AthosErrorKind Classify(int status, string? errorCode) => errorCode switch
    {
        "CALL_NOT_FOUND" => AthosErrorKind.NotFound,
        "INVALID_API_KEY" or "API_KEY_REVOKED" or "IP_NOT_ALLOWED" or "TENANT_INACTIVE" or "TENANT_QUOTA_EXCEEDED"
            or "INVALID_TOKEN" or "TOKEN_EXPIRED" or "TOKEN_ALREADY_USED" => AthosErrorKind.Configuration,
        "INVALID_REQUEST" or "DRILL_NOT_FOUND" => AthosErrorKind.InvalidRequest,
        "SERVICE_UNAVAILABLE" or "INTERNAL_ERROR" => AthosErrorKind.Transient,
        _ => ClassifyStatus(status),
    };

    private static AthosErrorKind ClassifyStatus(int status) => status switch
    {
        >= 500 or (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.TooManyRequests => AthosErrorKind.Transient,
        // A 404 or 405 without Athos's envelope is not "no such call": it is a wrong ATHOS_BASE_URL or a proxy.
        (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.Forbidden or (int)HttpStatusCode.NotFound
            or (int)HttpStatusCode.MethodNotAllowed => AthosErrorKind.Configuration,
        _ => AthosErrorKind.InvalidRequest,
    };
}
