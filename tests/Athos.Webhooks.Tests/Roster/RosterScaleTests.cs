using System.Diagnostics;
using Athos.Simulator;
using Athos.Webhooks.Roster;
using Athos.Webhooks.Tests.Fixtures;
using Azure.Core;
using Microsoft.Extensions.Azure;

namespace Athos.Webhooks.Tests.Roster;

/// <summary>
/// The roster sync's cost for a tenant of 10,000 reps (docs/operations.md, "The roster sync"): Athos requests per sync
/// (pages of 100) and storage requests, for the first sync and for one over an unchanged roster, measured and printed.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class RosterScaleTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    private const int Agents = 10_000;

    [Fact]
    public async Task A_roster_of_10000_agents_costs_100_Athos_requests_per_sync_and_an_unchanged_one_writes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await storage.ResetAsync();
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 2730, FailureRate = 0, Contract = Athos.Simulator.AthosContract.Current }, cancellationToken: ct);
        simulator.Roster.AddAgents(Agents - simulator.Roster.Count, DateTimeOffset.UtcNow);
        var counter = new StorageRequestCounter();
        await using var app = await TestApp.StartAsync(simulator, storage.Azurite, [], services => services.AddAzureClients(azure => azure.ConfigureDefaults(options => options.AddPolicy(counter, HttpPipelinePosition.PerCall))));

        var (first, firstAthos, firstStorage, firstTime) = await MeasureAsync(app, simulator, counter, ct);
        var (second, secondAthos, secondStorage, secondTime) = await MeasureAsync(app, simulator, counter, ct);

        TestContext.Current.TestOutputHelper?.WriteLine($"first sync: {first.Listed} agents, {firstAthos} Athos requests, {firstStorage.Total} storage requests ({firstStorage.Writes} writes), {firstTime.TotalSeconds:0.0} s");
        TestContext.Current.TestOutputHelper?.WriteLine($"unchanged sync: {second.Listed} agents, {secondAthos} Athos requests, {secondStorage.Total} storage requests ({secondStorage.Writes} writes), {secondTime.TotalSeconds:0.0} s");
        Assert.Equal(Agents, first.Listed);
        Assert.Equal(100, first.Pages);
        Assert.Equal(100, firstAthos);
        Assert.Equal(Agents, first.Written);
        Assert.Equal(100, secondAthos);
        Assert.Equal(0, second.Written);
        Assert.Equal(0, secondStorage.AgentWrites);
    }

    private static async Task<(RosterRun Run, int Athos, (int Total, int Writes, int AgentWrites) Storage, TimeSpan Time)> MeasureAsync(TestApp app, AthosSimulator simulator, StorageRequestCounter counter, CancellationToken ct)
    {
        counter.Reset();
        var athosBefore = simulator.Requests.Total;
        var started = Stopwatch.GetTimestamp();
        var run = await app.Get<RosterSync>().RunAsync(ct) ?? throw new InvalidOperationException("The roster lock was held.");
        var time = Stopwatch.GetElapsedTime(started);
        var requests = counter.Requests;
        var writes = requests.Count(r => r.Method is not ("GET" or "HEAD"));
        var agentWrites = requests.Count(r => r.Method != "GET" && r.Uri.AbsolutePath.Contains("/" + StorageNames.AgentsTable, StringComparison.Ordinal));
        return (run, simulator.Requests.Total - athosBefore, (requests.Count, writes, agentWrites), time);
    }
}
