using Athos.Simulator;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Webhooks;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>
/// A day of faults through the local runner, run once for <see cref="EndToEndTests"/>: 500 calls scored and delivered
/// with 20% of webhooks dropped, 10% duplicated, 5% server errors and 2% throttling, 25 of them rescored, then one
/// reconcile. What happened (Athos's side) and what is stored are kept for the tests to compare. The pipeline runs in the
/// local runner, or in the real Functions host when <c>ATHOS_E2E_HOST=functions</c> (<see cref="PipelineHost"/>).
/// </summary>
public sealed class FaultyDayScenario : IAsyncLifetime
{
    private AzuriteInstance? _azurite;

    public IReadOnlyList<SimulatedCall> Scored { get; private set; } = [];

    public IReadOnlyList<SimulatedCall> Failed { get; private set; } = [];

    public IReadOnlySet<string> Rescored { get; private set; } = new HashSet<string>();

    public IReadOnlyDictionary<string, WebhookDelivery> LastDelivery { get; private set; } = new Dictionary<string, WebhookDelivery>();

    public IReadOnlyList<(string WebhookId, WebhookAttempt Attempt)> Attempts { get; private set; } = [];

    public IReadOnlyDictionary<string, int> DetailsServed { get; private set; } = new Dictionary<string, int>();

    internal ReconcileRun Reconcile { get; private set; } = null!;

    public IReadOnlyDictionary<string, CallRow> Rows { get; private set; } = new Dictionary<string, CallRow>();

    public int DayIndexRows { get; private set; }

    internal IReadOnlyDictionary<string, DeliveryRecord> Ledger { get; private set; } = new Dictionary<string, DeliveryRecord>();

    /// <summary>Queue puts to <c>athos-calls</c>, counted in the local runner (null on the Functions host, whose requests are its own).</summary>
    public int? QueuePuts { get; private set; }

    public int PoisonMessages { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _azurite = await AzuriteInstance.StartAsync();
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 77, WebhookRetryDelay = TimeSpan.FromMilliseconds(300) }, cancellationToken: ct);
        simulator.Faults.WebhookDropRate = 0.2;
        simulator.Faults.WebhookDuplicateRate = 0.1;
        simulator.Faults.ServerErrorRate = 0.05;
        simulator.Faults.ThrottleRate = 0.02;
        var settings = StackSettings.For(simulator, _azurite);
        settings["ATHOS_RECONCILE_SCHEDULE"] = "0 0 0 1 1 *";
        settings["ATHOS_RECONCILE_RESCAN_SCHEDULE"] = "0 0 0 1 1 *";
        settings["ATHOS_RECONCILE_LOOKBACK"] = "2.00:00:00";
        settings["ATHOS_HTTP_RETRY_DELAY"] = "00:00:00.100";
        var storageRequests = new StorageRequestCounter();
        await using var host = await PipelineHost.StartAsync(settings, storageRequests, ct);
        simulator.Webhooks.Target = host.WebhookUrl;

        // 500 calls scored and delivered, then 25 of them rescored (and delivered again).
        var now = DateTimeOffset.UtcNow;
        simulator.AddCalls(500, now.AddDays(-1), now.AddMinutes(-10));
        await simulator.Webhooks.WhenIdleAsync(ct);
        await host.DrainAsync();
        Rescored = simulator.Calls.All().Where(c => c.State == CallState.Scored).Take(25).Select(c => c.Id).ToHashSet();
        foreach (var id in Rescored)
        {
            simulator.Rescore(id);
        }

        await simulator.Webhooks.WhenIdleAsync(ct);
        await host.DrainAsync();

        // A webhook is unacknowledged when dropped by Athos, or answered 503 twice (a burst can outrun the storage
        // budget; a 503 records nothing and Athos retries once): the reconcile is what recovers those.
        LastDelivery = simulator.Webhooks.Deliveries.GroupBy(d => d.CallId).ToDictionary(g => g.Key, g => g.Last());
        Reconcile = await host.Services.GetRequiredService<Reconciler>().RunAsync(ct);
        await host.DrainAsync();

        Scored = [.. simulator.Calls.All().Where(c => c.State == CallState.Scored)];
        Failed = [.. simulator.Calls.All().Where(c => c.State == CallState.Failed)];
        Attempts = [.. simulator.Webhooks.Deliveries.SelectMany(d => d.Attempts.Select(a => (d.WebhookId, a)))];
        DetailsServed = Scored.ToDictionary(c => c.Id, c => simulator.Requests.DetailsServedFor(c.Id));
        var tables = new TestTables(_azurite.ConnectionString);
        Rows = (await tables.QueryAsync(StorageNames.CallsTable, string.Empty)).ToDictionary(r => r.CallId);
        DayIndexRows = await tables.CountAsync(StorageNames.CallsByDayTable);
        Ledger = (await tables.DeliveriesAsync()).ToDictionary(r => r.WebhookId);
        QueuePuts = PipelineHost.IsFunctionsHost ? null : storageRequests.Named.Count(r => r.Method == "POST" && r.Target == $"{StorageNames.CallsQueue}/messages");
        PoisonMessages = (await new QueueClient(_azurite.ConnectionString, StorageNames.PoisonQueue).GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
    }

    public async ValueTask DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
