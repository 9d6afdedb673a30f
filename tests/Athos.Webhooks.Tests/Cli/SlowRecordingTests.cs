using System.Diagnostics;
using Athos.Simulator;
using Athos.Webhooks.Tests.Fixtures;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Athos.Webhooks.Tests.Cli;

/// <summary>
/// A recording slower than one function invocation, through the real runner with host.json's <c>functionTimeout</c>
/// scaled down: the call is stored at once, and the recording, a work item of its own, ends archived byte for byte over
/// several attempts, each resuming where the last stopped; nothing is parked. And the runner enforces the timeout as the
/// Functions host does.
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class SlowRecordingTests
{
    // Budget per attempt: 8 s less a quarter = 6 s; 3 MiB at 256 KiB/s take 12 s, so at least two attempts.
    private const string HostJson = """
        {
          "version": "2.0",
          "functionTimeout": "00:00:08",
          "extensions": { "queues": { "batchSize": 4, "newBatchThreshold": 2, "maxPollingInterval": "00:00:00.500", "visibilityTimeout": "00:00:01", "maxDequeueCount": 5, "messageEncoding": "base64" } }
        }
        """;

    private const long RecordingBytes = 3 * 1024 * 1024;

    [Fact]
    public async Task A_recording_slower_than_the_function_timeout_is_archived_over_several_attempts_after_its_call_is_stored()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var azurite = await AzuriteInstance.StartAsync(ct);
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 2024, Contract = Athos.Simulator.AthosContract.Current, FailureRate = 0 }, cancellationToken: ct);
        simulator.Faults.RecordingBytesPerSecond = 256 * 1024;
        using var copy = await BuiltCopy.WithHostJsonAsync(HostJson);
        var port = RunnerProcess.FreePort();
        using var runner = RunnerProcess.Start(StackSettings.For(simulator, azurite), $"http://127.0.0.1:{port}", copy.Directory);
        await runner.WaitUntilListeningAsync(port, TimeSpan.FromMinutes(1));

        var call = simulator.Generator.Generate(DateTimeOffset.UtcNow.AddMinutes(-5));
        call = (call.State == CallState.Scored ? call : simulator.Generator.Rescore(call, DateTimeOffset.UtcNow.AddMinutes(-4))) with { RecordingBytes = RecordingBytes };
        simulator.Calls.Add(call);
        await simulator.Webhooks.DeliverAsync(call, new Uri($"http://127.0.0.1:{port}/api/athos/webhook"), ct);

        var tables = new TestTables(azurite.ConnectionString);
        var recording = new BlobContainerClient(azurite.ConnectionString, StorageNames.RecordingsContainer).GetBlobClient(call.Id + ".ogg");
        var clock = Stopwatch.StartNew();
        var stored = await WaitForAsync(() => tables.MainAsync(call.Id), row => row is not null, runner, ct);
        var storedAfter = clock.Elapsed;

        // Stored before the recording: pending, and no blob yet.
        Assert.Equal(RecordingStatus.Pending, stored!.RecordingStatus);
        Assert.False((await recording.ExistsAsync(ct)).Value, $"the recording was there when the call was first seen stored, {storedAfter.TotalSeconds:0.0} s in");

        var archived = await WaitForAsync(() => tables.MainAsync(call.Id), row => row?.RecordingStatus == RecordingStatus.Archived, runner, ct);
        Assert.Null(archived!.RecordingError);
        Assert.Equal(SimulatedRecording.ContentOf(call), (await recording.DownloadContentAsync(ct)).Value.Content.ToArray());
        Assert.True(simulator.Requests.RecordingRequestsFor(call.Id) >= 2, $"{simulator.Requests.RecordingRequestsFor(call.Id)} recording requests: the copy should have taken several attempts");
        Assert.True(runner.Printed("continues a partial copy: True"), runner.Tail);

        // Nothing parked or poisoned; nothing timed out; the feed says the call arrived, then its recording.
        Assert.Empty(await tables.QueryAsync(StorageNames.ParkedWorkTable, "PartitionKey ne ''"));
        Assert.Equal(0, (await new QueueClient(azurite.ConnectionString, StorageNames.PoisonQueue).GetPropertiesAsync(ct)).Value.ApproximateMessagesCount);
        Assert.False(runner.Printed("functionTimeout"), runner.Tail);
        var changes = new TableClient(azurite.ConnectionString, StorageNames.CallChangesTable).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"CallId eq {call.Id}"), cancellationToken: ct);
        var kinds = new List<string>();
        await foreach (var change in changes)
        {
            kinds.Add(change.GetString("ChangeKind"));
        }

        Assert.Equal([ChangeKinds.Created, ChangeKinds.RecordingArchived], kinds);
    }

    [Fact]
    public async Task The_runner_cancels_an_item_that_runs_longer_than_the_function_timeout_and_retries_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var azurite = await AzuriteInstance.StartAsync(ct);
        await using var simulator = await AthosSimulator.StartAsync(new SimulatorOptions { Seed = 2025, FailureRate = 0 }, cancellationToken: ct);
        using var copy = await BuiltCopy.WithHostJsonAsync(HostJson);
        var port = RunnerProcess.FreePort();
        using var runner = RunnerProcess.Start(StackSettings.For(simulator, azurite), $"http://127.0.0.1:{port}", copy.Directory);
        await runner.WaitUntilListeningAsync(port, TimeSpan.FromMinutes(1));

        // Athos answers the first detail request after 12 s: longer than the 8 s the invocation may take.
        var call = simulator.Generator.Generate(DateTimeOffset.UtcNow.AddMinutes(-5));
        call = call.State == CallState.Scored ? call : simulator.Generator.Rescore(call, DateTimeOffset.UtcNow.AddMinutes(-4));
        simulator.Calls.Add(call);
        simulator.Faults.Latency = TimeSpan.FromSeconds(12);
        await simulator.Webhooks.DeliverAsync(call, new Uri($"http://127.0.0.1:{port}/api/athos/webhook"), ct);
        await WaitForAsync(() => Task.FromResult(runner.Printed("ran longer than host.json's functionTimeout (00:00:08) and was cancelled (attempt 1)")), printed => printed, runner, ct);
        simulator.Faults.Latency = TimeSpan.Zero;

        var tables = new TestTables(azurite.ConnectionString);
        var stored = await WaitForAsync(() => tables.MainAsync(call.Id), row => row is not null, runner, ct);
        Assert.Equal(call.ScoredAt, stored!.ScoredAt);
        Assert.Empty(await tables.QueryAsync(StorageNames.ParkedWorkTable, "PartitionKey ne ''"));
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, RunnerProcess runner, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            Assert.False(runner.HasExited, runner.Tail);
            var value = await read();
            if (done(value))
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting; the runner printed:\n{runner.Tail}");
            await Task.Delay(100, cancellationToken);
        }
    }
}
