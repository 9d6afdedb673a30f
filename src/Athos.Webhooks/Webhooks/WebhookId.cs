namespace Athos.Webhooks.Webhooks;

/// <summary>Checks an <c>X-Athos-Webhook-Id</c> before it becomes a table key or a log field.</summary>
internal static class WebhookId
{
    public const int MaxLength = 128;

    public static bool IsValid(string id) =>
        id.Length is > 0 and <= MaxLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
