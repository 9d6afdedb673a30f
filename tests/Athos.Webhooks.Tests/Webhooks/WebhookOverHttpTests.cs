using Athos.Simulator;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;

namespace Athos.Webhooks.Tests.Webhooks;

/// <summary>The simulator delivering real signed webhooks over HTTP to the endpoint, stored in real Azurite.</summary>
[Collection(HeavyTests.Name)]
public sealed class WebhookOverHttpTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Two_hundred_simulated_deliveries_are_all_acknowledged_and_queued()
    {
        await storage.ResetAsync();
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 5 }, cancellationToken: TestContext.Current.CancellationToken);
        await using var receiver = await ReceiverHost.StartAsync(StackSettings.For(simulator, storage.Azurite));
        var now = DateTimeOffset.UtcNow;
        var calls = simulator.Generator.Generate(200, now.AddHours(-3), now.AddMinutes(-5));

        var deliveries = await Task.WhenAll(calls.Select(c => simulator.Webhooks.DeliverAsync(c, receiver.WebhookUrl, TestContext.Current.CancellationToken)));

        Assert.All(deliveries, d => Assert.Equal(202, Assert.Single(d.Attempts).Status));
        var queued = await ReadAllAsync(new TestQueues(storage.ConnectionString));
        Assert.Equal(200, queued.Count);
        Assert.Equal(calls.Select(c => c.Id).Order(), queued.Select(CallIdOf).Order());
        Assert.Equal(calls.Count(c => c.State == CallState.Failed), queued.OfType<ScoringFailedWorkItem>().Count());
        Assert.Equal(deliveries.Select(d => d.WebhookId).Order(), queued.Select(q => q.WebhookId!).Order());
    }

    private static string CallIdOf(WorkItem item) => item switch
    {
        FetchCallWorkItem fetch => fetch.CallId.Value,
        ScoringFailedWorkItem failed => failed.CallId.Value,
        _ => throw new InvalidOperationException(),
    };

    private static async Task<List<WorkItem>> ReadAllAsync(TestQueues queues)
    {
        var items = new List<WorkItem>();
        while ((await queues.ReceiveAsync()) is { Length: > 0 } batch)
        {
            items.AddRange(batch.Select(m => WorkItemSerializer.Deserialize(m.Body)));
        }

        return items;
    }
}
