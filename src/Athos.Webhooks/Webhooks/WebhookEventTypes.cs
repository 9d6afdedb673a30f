namespace Athos.Webhooks.Webhooks;

/// <summary>The <c>event</c> values of Athos's webhooks. Public because a sender of test deliveries writes them too.</summary>
public static class WebhookEventTypes
{
    /// <summary>A call was scored, or its scoring failed (<c>success</c> says which): the only event this build handles.</summary>
    public const string CallScored = "call.scored";
}
