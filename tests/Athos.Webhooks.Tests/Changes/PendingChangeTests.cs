using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Azure;

namespace Athos.Webhooks.Tests.Changes;

/// <summary>
/// A worker whose change insert fails right after its <c>AthosCalls</c> commit (the process dying there looks the same
/// from storage): the retry of the same item, of whatever origin, finds the version stored and takes the no-fetch path,
/// which must still append the version's change, or a CRM sync following the feed never hears of the call.
/// </summary>
public sealed class PendingChangeTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly FailFirstChangeInsert _failure = new();
    private AthosSimulator _simulator = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 2424, FailureRate = 0 });
    }

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    // By name: a theory's arguments must be public types, and WorkOrigin is internal.
    [Theory]
    [InlineData("reconcile")]
    [InlineData("backfill")]
    [InlineData("rescan")]
    [InlineData("redrive")]
    [InlineData("webhook")]
    public async Task The_retry_of_an_item_whose_change_insert_failed_after_its_commit_appends_the_change(string originName)
    {
        var origin = WorkOriginNames.Names.Parse(originName);
        await using var app = await TestApp.StartAsync(_simulator, storage.Azurite, [], services => services.AddAzureClients(azure => azure.ConfigureDefaults(o => o.AddPolicy(_failure, HttpPipelinePosition.PerCall))));
        var call = _simulator.Generator.Generate(DateTimeOffset.UtcNow.AddHours(-1));
        call = call.State == CallState.Scored ? call : _simulator.Generator.Rescore(call, DateTimeOffset.UtcNow.AddMinutes(-50));
        _simulator.Calls.Add(call);
        var item = WorkItemSerializer.Serialize(origin == WorkOrigin.Webhook
            ? new FetchCallWorkItem { Origin = origin, CallId = CallId.Parse(call.Id), WebhookId = "wh_pending", OccurredAt = call.ScoredAt, ReceivedAt = DateTimeOffset.UtcNow }
            : new FetchCallWorkItem { Origin = origin, CallId = CallId.Parse(call.Id), ListedScoredAt = call.ScoredAt, ReceivedAt = DateTimeOffset.UtcNow });
        var processor = app.Get<WorkItemProcessor>();

        await Assert.ThrowsAnyAsync<RequestFailedException>(() => processor.ProcessAsync(item, "msg-pending", 1, TestContext.Current.CancellationToken));
        var committed = await new TestTables(storage.ConnectionString).MainAsync(call.Id);
        Assert.Equal(call.ScoredAt, committed!.ScoredAt);
        Assert.Empty(await TestCalls.ChangeRowsAsync(storage.ConnectionString));

        var retried = await processor.ProcessAsync(item, "msg-pending", 2, TestContext.Current.CancellationToken);

        Assert.Equal(WorkOutcome.Unchanged, retried);
        Assert.Equal(1, _simulator.Requests.DetailRequestsFor(call.Id));
        var change = Assert.Single(await TestCalls.ChangeRowsAsync(storage.ConnectionString));
        Assert.Equal(new { call.Id, Kind = ChangeKinds.Created, Key = committed.ChangeKey }, new { Id = change.CallId, Kind = change.ChangeKind, Key = (string?)change.RowKey });
    }

    /// <summary>Fails the first insert into <c>AthosCallChanges</c> as a storage outage would, once.</summary>
    private sealed class FailFirstChangeInsert : HttpPipelinePolicy
    {
        private int _failed;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Fail(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Fail(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Fail(HttpMessage message)
        {
            if (message.Request.Method == RequestMethod.Post && message.Request.Uri.Path.EndsWith("/" + StorageNames.CallChangesTable, StringComparison.Ordinal) && Interlocked.Exchange(ref _failed, 1) == 0)
            {
                throw new RequestFailedException(503, "The change insert failed (injected).");
            }
        }
    }
}
