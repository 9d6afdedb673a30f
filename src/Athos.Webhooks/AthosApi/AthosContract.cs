using Athos.Webhooks.Storage;

namespace Athos.Webhooks.AthosApi;

/// <summary>
/// The two shapes of Athos's v1 API (docs: ../shared/athos/CONTRACT.md). A tenant gets one of them and is not told
/// which: it is read from what Athos sends, never from a setting.
/// </summary>
internal enum AthosContract
{
    /// <summary>The public revision: <c>externalUserId</c>/<c>externalAgencyId</c>, roleplay calls only, <c>source</c> optional.</summary>
    Early,

    /// <summary>The later revision: <c>agentId</c>/<c>platformAgentId</c>, roleplay and real calls, <c>source</c> required on the list.</summary>
    Current,
}

/// <summary>
/// The stored names of <see cref="AthosContract"/> (<c>Contract</c> in <c>AthosState</c> and in a backfill job):
/// lowercase, read in any case as earlier versions did.
/// </summary>
internal static class AthosContractNames
{
    internal static readonly StoredNames<AthosContract> Names = new(
        [(AthosContract.Early, "early"), (AthosContract.Current, "current")],
        StringComparer.OrdinalIgnoreCase);

    public static string ToStorageName(this AthosContract contract) => Names.NameOf(contract);

    /// <summary>The contract a stored name stands for; an unknown name is a <see cref="FormatException"/> naming it.</summary>
    internal static AthosContract Parse(string name) => Names.Parse(name);
}
