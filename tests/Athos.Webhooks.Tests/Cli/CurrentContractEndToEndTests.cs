using Athos.Simulator;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Tests.Fixtures;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>
/// The real pipeline (local runner, queue worker, reconciler; or the real Functions host with <c>ATHOS_E2E_HOST=functions</c>,
/// <see cref="PipelineHost"/>) against Athos as its later docs describe it: two sources,
/// Athos's own ids beside the customer's, signed expiring recording links.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class CurrentContractEndToEndTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Delivered_and_dropped_calls_of_both_sources_are_stored_with_their_recordings_and_indexed_under_the_right_rep()
    {
        await storage.ResetAsync();
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 1010, Contract = AthosContract.Current, WebhookRetryDelay = TimeSpan.FromMilliseconds(300) }, cancellationToken: TestContext.Current.CancellationToken);
        simulator.Faults.WebhookDropRate = 0.3;
        var settings = StackSettings.For(simulator, storage.Azurite);
        settings["ATHOS_RECONCILE_SCHEDULE"] = "0 0 0 1 1 *";
        settings["ATHOS_RECONCILE_RESCAN_SCHEDULE"] = "0 0 0 1 1 *";
        settings["ATHOS_RECONCILE_LOOKBACK"] = "2.00:00:00";
        await using var host = await PipelineHost.StartAsync(settings, null, TestContext.Current.CancellationToken);
        simulator.Webhooks.Target = host.WebhookUrl;

        var now = DateTimeOffset.UtcNow;
        simulator.AddCalls(200, now.AddDays(-1), now.AddMinutes(-10));
        await simulator.Webhooks.WhenIdleAsync(TestContext.Current.CancellationToken);
        await host.DrainAsync();
        var run = await host.Services.GetRequiredService<Reconciler>().RunAsync(TestContext.Current.CancellationToken);
        await host.DrainAsync();

        // The reconciler saw the current contract and listed both sources.
        Assert.Equal(new { Status = ReconcileOutcome.Succeeded, Contract = (Athos.Webhooks.AthosApi.AthosContract?)Athos.Webhooks.AthosApi.AthosContract.Current }, new { run.Status, run.Contract });
        Assert.Equal([SimulatedCall.RoleplaySource, SimulatedCall.RealCallSource], run.Sources.Select(s => s.Source));
        Assert.All(run.Sources, s => Assert.Equal(ReconcileOutcome.Succeeded, s.Status));

        // Calls of both sources were dropped, and every scored call is stored, current, with both id families.
        var scored = simulator.Calls.All().Where(c => c.State == CallState.Scored).ToList();
        var dropped = simulator.Webhooks.Deliveries.Where(d => !d.Acked).Select(d => d.CallId).ToHashSet();
        Assert.Contains(scored, c => c.IsRealCall && dropped.Contains(c.Id));
        Assert.Contains(scored, c => !c.IsRealCall && dropped.Contains(c.Id));
        var tables = new TestTables(storage.ConnectionString);
        var rows = (await tables.QueryAsync(StorageNames.CallsTable, string.Empty)).ToDictionary(r => r.CallId);
        var recordings = new BlobContainerClient(storage.ConnectionString, StorageNames.RecordingsContainer);
        foreach (var call in scored)
        {
            var row = rows[call.Id];
            Assert.Equal(new { Source = (string?)call.Source, ScoredAt = call.ScoredAt, AgentId = (string?)call.AgentId, AgencyId = (string?)call.AgencyId, ExternalUserId = call.ExternalUserId }, new { row.Source, row.ScoredAt, row.AgentId, row.AgencyId, row.ExternalUserId });
            Assert.Equal(call.IsRealCall && call.OverallScore == 0 ? null : call.OverallScore, row.OverallScore);
            Assert.Equal(CallRow.CurrentSchemaVersion, row.SchemaVersion);
            Assert.Equal(call.RecordingBytes is null ? RecordingStatus.None : RecordingStatus.Archived, row.RecordingStatus);
            if (call.RecordingBytes is not null)
            {
                Assert.Equal(SimulatedRecording.ContentOf(call), (await recordings.GetBlobClient(call.Id + ".ogg").DownloadContentAsync(TestContext.Current.CancellationToken)).Value.Content.ToArray());
            }

            // The rep index: the customer's own id when the rep is registered, else Athos's.
            var (byUser, byDay) = await tables.IndexRowsAsync(call.Id);
            Assert.Equal(TableKeys.UserPartition(call.ExternalUserId ?? call.AgentId), Assert.Single(byUser).PartitionKey);
            Assert.Single(byDay);
        }

        Assert.Contains(scored, c => c.ExternalUserId is null);
        Assert.Contains(scored, c => c.ExternalUserId is not null);
        Assert.Equal(0, simulator.Requests.RecordingRequestsWithAuthorization);
        Assert.Equal(0, (await new QueueClient(storage.ConnectionString, StorageNames.PoisonQueue).GetPropertiesAsync(TestContext.Current.CancellationToken)).Value.ApproximateMessagesCount);
    }
}
