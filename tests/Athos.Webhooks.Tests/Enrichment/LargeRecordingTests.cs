using Athos.Simulator;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Processing;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.WorkItems;
using Azure.Storage.Blobs;

namespace Athos.Webhooks.Tests.Enrichment;

/// <summary>
/// A large recording is streamed from the link into the blob, block by block, never held whole. Run alone, so that
/// other tests' allocations do not blur the process-wide measurement.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class LargeRecordingTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    private const long RecordingBytes = 50L * 1024 * 1024;
    private const long MemoryBudget = 10L * 1024 * 1024;

    [Fact]
    public async Task A_50_MB_recording_is_archived_byte_for_byte_while_the_process_allocates_less_than_10_MB()
    {
        await storage.ResetAsync();
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 5050, Contract = Athos.Simulator.AthosContract.Current, FailureRate = 0 }, cancellationToken: TestContext.Current.CancellationToken);
        await using var app = await TestApp.StartAsync(StackSettings.For(simulator, storage.Azurite));
        var call = simulator.Generator.Generate(DateTimeOffset.UtcNow.AddHours(-1));
        call = (call.State == CallState.Scored ? call : simulator.Generator.Rescore(call, DateTimeOffset.UtcNow.AddMinutes(-50))) with { RecordingBytes = RecordingBytes };
        simulator.Calls.Add(call);
        var processor = app.Get<WorkItemProcessor>();
        var item = WorkItemSerializer.Serialize(new FetchCallWorkItem { Origin = WorkOrigin.Reconcile, CallId = CallId.Parse(call.Id) });

        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await processor.ProcessAsync(item, "msg-large", 1, TestContext.Current.CancellationToken);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        TestContext.Current.TestOutputHelper?.WriteLine($"archiving {RecordingBytes:N0} bytes allocated {allocated:N0} bytes");
        Assert.True(allocated < MemoryBudget, $"archiving {RecordingBytes:N0} bytes allocated {allocated:N0} bytes (budget {MemoryBudget:N0})");
        Assert.Equal(RecordingStatus.Archived, (await new TestTables(storage.ConnectionString).MainAsync(call.Id))!.RecordingStatus);
        var blob = new BlobContainerClient(storage.ConnectionString, StorageNames.RecordingsContainer).GetBlobClient(call.Id + ".ogg");
        await using var stored = await blob.OpenReadAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using var expected = SimulatedRecording.OpenRead(call);
        Assert.Equal(RecordingBytes, stored.Length);
        var a = new byte[1024 * 1024];
        var b = new byte[a.Length];
        for (long offset = 0; offset < RecordingBytes; offset += a.Length)
        {
            var n = (int)Math.Min(a.Length, RecordingBytes - offset);
            await stored.ReadExactlyAsync(a.AsMemory(0, n), TestContext.Current.CancellationToken);
            await expected.ReadExactlyAsync(b.AsMemory(0, n), TestContext.Current.CancellationToken);
            Assert.True(a.AsSpan(0, n).SequenceEqual(b.AsSpan(0, n)), $"bytes {offset}–{offset + n} match");
        }
    }
}
