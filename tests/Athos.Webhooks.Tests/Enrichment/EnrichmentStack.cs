using System.Text.Json;
using Athos.Simulator;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Core;
using Microsoft.Extensions.Azure;

namespace Athos.Webhooks.Tests.Enrichment;

/// <summary>
/// What a test of enrichment drives work items through: the simulator, an app on the class's Azurite whose storage
/// requests <see cref="Counter"/> counts, and the tables to read back.
/// </summary>
internal sealed class EnrichmentStack : IAsyncDisposable
{
    private readonly AzuriteFixture _storage;
    private int _messages;

    private EnrichmentStack(AzuriteFixture storage, AthosSimulator simulator)
    {
        _storage = storage;
        Simulator = simulator;
        Tables = new TestTables(storage.ConnectionString);
    }

    public StorageRequestCounter Counter { get; } = new();

    public AthosSimulator Simulator { get; }

    public TestApp App { get; private set; } = null!;

    public TestTables Tables { get; }

    /// <summary>Empties the class's Azurite and starts the simulator with <paramref name="seed"/> and an app on both.</summary>
    public static async Task<EnrichmentStack> StartAsync(AzuriteFixture storage, int seed)
    {
        await storage.ResetAsync();
        var stack = new EnrichmentStack(storage, await AthosSimulator.StartAsync(new SimulatorOptions { Seed = seed }));
        stack.App = await stack.StartAppAsync();
        return stack;
    }

    /// <summary>Another app on the same simulator and storage, its requests counted too; the caller disposes it.</summary>
    public Task<TestApp> StartAppAsync(params (string Name, string? Value)[] overrides) =>
        TestApp.StartAsync(
            Simulator,
            _storage.Azurite,
            [("ATHOS_HTTP_RETRY_DELAY", "00:00:00.050"), .. overrides],
            services => services.AddAzureClients(azure => azure.ConfigureDefaults(options => options.AddPolicy(Counter, HttpPipelinePosition.PerCall))));

    /// <summary>A call the simulator serves as scored two hours ago (rescored a minute later if the generator failed it).</summary>
    public SimulatedCall AddScoredCall(string? rep = null)
    {
        var call = Simulator.Generator.Generate(DateTimeOffset.UtcNow.AddHours(-2));
        call = call.State == CallState.Scored ? call : Simulator.Generator.Rescore(call, DateTimeOffset.UtcNow.AddHours(-2).AddMinutes(1));
        call = rep is null ? call : call with { ExternalUserId = rep };
        Simulator.Calls.Add(call);
        return call;
    }

    /// <summary>Processes <paramref name="item"/> as its first delivery, as the queue trigger would, under a message id of its own.</summary>
    public Task<WorkOutcome> ProcessAsync(WorkItem item, TestApp? app = null) =>
        (app ?? App).Get<WorkItemProcessor>().ProcessAsync(WorkItemSerializer.Serialize(item), "msg-" + Interlocked.Increment(ref _messages), 1, TestContext.Current.CancellationToken);

    /// <summary>Everything stored for a call (its three rows with their ETags, and the archive blob) as one string, to show that nothing changed.</summary>
    public async Task<string> SnapshotAsync(string callId)
    {
        var (byUser, byDay) = await Tables.IndexRowsAsync(callId);
        return string.Join('\n', new[] { (await Tables.MainAsync(callId))! }.Concat(byUser).Concat(byDay).Select(r => JsonSerializer.Serialize(r) + r.ETag))
            + Convert.ToBase64String(await Tables.BlobAsync(callId) ?? []);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Simulator.DisposeAsync();
    }
}
