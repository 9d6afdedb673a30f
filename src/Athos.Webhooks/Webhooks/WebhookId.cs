namespace Athos.Webhooks.Webhooks;

/// <summary>Checks an <c>X-Athos-Webhook-Id</c> before it becomes a table key or a log field.</summary>
internal static class WebhookId
{
    public const int MaxLength = 128;

    /// <summary>
    /// 1–128 letters, digits, <c>_</c> or <c>-</c>, not starting with <see cref="SignedContentRow.KeyPrefix"/>: the
    /// delivery ledger keeps its signed-content rows under that prefix beside the ids (Athos's ids start <c>wh_</c>).
    /// </summary>
    public static bool IsValid(string id) =>
        id.Length is > 0 and <= MaxLength
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
        && !id.StartsWith(SignedContentRow.KeyPrefix, StringComparison.Ordinal);
}
