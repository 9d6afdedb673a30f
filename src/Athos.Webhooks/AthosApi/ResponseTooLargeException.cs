namespace Athos.Webhooks.AthosApi;

/// <summary>
/// An Athos answer over <see cref="ResponseBufferingHandler.MaxResponseBytes"/>. Not an <see cref="HttpRequestException"/>
/// on purpose: the same request would get the same body, so the pipeline does not retry it; the client reports it as
/// one <see cref="AthosApiException"/> and the queue keeps the work.
/// </summary>
internal sealed class ResponseTooLargeException(string message, Exception? innerException) : Exception(message, innerException);
