namespace Athos.Webhooks.Tests.Fixtures;

/// <summary>
/// Tests that drive the whole pipeline with real timing (Athos's 10-second ACK window, leases, hundreds or thousands
/// of calls) run one after another and alone, so that on a small machine they do not starve each other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavyTests
{
    public const string Name = "Whole-pipeline tests, run alone";
}
