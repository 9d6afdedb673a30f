namespace Athos.Webhooks.AthosApi;

/// <summary>What a caller should do about a failed Athos request.</summary>
internal enum AthosErrorKind
{
    /// <summary>A bad minute at Athos or on the network (5xx, 408, 429, timeouts): retry later.</summary>
    Transient,

    /// <summary><c>CALL_NOT_FOUND</c>: permanent for that id (unknown, another tenant's, or never scored).</summary>
    NotFound,

    /// <summary>Authentication or configuration (bad or revoked key, IP not allowed, tenant inactive, wrong base URL): keep the work and alert.</summary>
    Configuration,

    /// <summary><c>INVALID_REQUEST</c> and other 4xx: our bug or a bad cursor; retrying the same request will not help.</summary>
    InvalidRequest,
}
