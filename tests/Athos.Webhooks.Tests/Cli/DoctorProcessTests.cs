using Athos.Simulator;
using Athos.Webhooks.Tests.Fixtures;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>
/// The real <c>athos-webhooks doctor</c> process over settings that start-up refuses: each bad value is reported on a line
/// of its own naming its setting, as start-up would stop on it, and the exit is non-zero.
/// </summary>
public sealed class DoctorProcessTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Doctor_names_each_bad_export_and_roster_setting_and_fails()
    {
        await storage.ResetAsync();
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 7, FailureRate = 0 }, cancellationToken: TestContext.Current.CancellationToken);
        var environment = new Dictionary<string, string?>(StackSettings.For(simulator, storage.Azurite))
        {
            ["ATHOS_EXPORT_SCHEDULE"] = "every 15 minutes",
            ["ATHOS_EXPORT_REBUILD_SCHEDULE"] = "0 0 2 * *",
            ["ATHOS_EXPORT_GRACE"] = "00:01:00",
            ["ATHOS_ROSTER_SCHEDULE"] = "hourly",
        };

        using var doctor = CliProcess.Start(["doctor"], environment);
        var exit = await doctor.WaitForExitAsync(Patience);

        var failures = doctor.Output.Split('\n').Where(l => l.StartsWith("FAIL ", StringComparison.Ordinal)).Select(l => l["FAIL".Length..].Trim()).ToList();
        Assert.Equal(1, exit);
        Assert.Equal(
            ["ATHOS_EXPORT_GRACE", "ATHOS_EXPORT_REBUILD_SCHEDULE", "ATHOS_EXPORT_SCHEDULE", "ATHOS_ROSTER_SCHEDULE"],
            failures.Select(l => l.Split(' ')[0]).Order(StringComparer.Ordinal));
        Assert.Contains(failures, l => l.Contains("got 'every 15 minutes'", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", doctor.Error, StringComparison.Ordinal);
        Assert.Contains($"{failures.Count} check(s) failed.", doctor.Output, StringComparison.Ordinal);
    }
}
