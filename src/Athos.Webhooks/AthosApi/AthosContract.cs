namespace Athos.Webhooks.AthosApi;

/// <summary>
/// The two shapes of Athos's v1 API (docs: ../shared/athos/CONTRACT.md). A tenant gets one of them and is not told
/// which: it is read from what Athos sends, never from a setting.
/// </summary>
public enum AthosContract
{
    /// <summary>The public revision: <c>externalUserId</c>/<c>externalAgencyId</c>, roleplay calls only, <c>source</c> optional.</summary>
    Early,

    /// <summary>The later revision: <c>agentId</c>/<c>platformAgentId</c>, roleplay and real calls, <c>source</c> required on the list.</summary>
    Current,
}
