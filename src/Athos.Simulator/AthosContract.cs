namespace Athos.Simulator;

/// <summary>
/// Which revision of Athos's External API the simulated tenant speaks. Athos does not announce which one a tenant
/// gets, so a receiver must cope with both; the simulator serves one of them so tests can prove it does.
/// </summary>
public enum AthosContract
{
    /// <summary>
    /// The public revision (openapi.yaml): <c>externalUserId</c>/<c>externalAgencyId</c>, roleplay calls only,
    /// <c>source</c> optional on the list, <c>user</c>/<c>assistant</c> transcript roles, no recordings.
    /// </summary>
    Early,

    /// <summary>
    /// The later revision (CONTRACT.md, "Athos as its later docs describe it"): Athos's own agent and agency ids beside
    /// the customer's platform ids, <c>roleplay</c> and <c>real_call</c> sources, <c>source</c> required on the list,
    /// signed expiring recording links, compliance scorecards, and real calls that change without a webhook.
    /// </summary>
    Current,
}
