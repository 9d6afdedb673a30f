namespace Athos.Webhooks.Http;

/// <summary>
/// The error body of every HTTP answer: a machine-readable <see cref="Code"/>, a sentence for people, and the
/// offending field when there is one.
/// </summary>
internal sealed record ApiError(string Code, string Message, string? Field = null);
