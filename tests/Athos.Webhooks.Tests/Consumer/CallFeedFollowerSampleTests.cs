using Athos.Webhooks.Tests.Changes;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Writing;
using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;

namespace Athos.Webhooks.Tests.Consumer;

/// <summary>
/// samples/CallFeedFollower, built, run as a process against Azurite: it reads calls stored by the product's own writer
/// through the consumer package alone, and a second run resumes from the checkpoint the first one kept.
/// </summary>
public sealed class CallFeedFollowerSampleTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime, IDisposable
{
    private readonly string _checkpointFile = Path.Combine(Directory.CreateTempSubdirectory("call-feed-follower-").FullName, "checkpoint.txt");

    public async ValueTask InitializeAsync() => await storage.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_checkpointFile)!, recursive: true);

    [Fact]
    public async Task The_sample_prints_the_stored_calls_and_their_changes_then_resumes_from_its_checkpoint()
    {
        // Stamped well before the sample's read margin, by the sample's (the system's) clock.
        var before = new FakeTimeProvider(TimeProvider.System.GetUtcNow() - (2 * CallChangeFeed.ReadMargin));
        await WriteAsync(before, TestCalls.Scored("athos_call_follow1", 1), TestCalls.Scored("athos_call_follow2", 1, rep: "rep_b"), TestCalls.Failure("athos_call_follow3"));

        var first = await SampleProcess.RunAsync(_checkpointFile, storage.ConnectionString);

        Assert.True(first.ExitCode == 0, $"exit {first.ExitCode}; output:\n{first.Output}\nerrors:\n{first.Error}");
        Assert.Equal(
        [
            "reading every change kept",
            "change created athos_call_follow1",
            "call athos_call_follow1 scored score=61 rep=rep_a",
            "change created athos_call_follow2",
            "call athos_call_follow2 scored score=61 rep=rep_b",
            "change failed athos_call_follow3",
            "call athos_call_follow3 failed score=- rep=rep_a",
            $"next checkpoint: {await File.ReadAllTextAsync(_checkpointFile, TestContext.Current.CancellationToken)}",
        ],
        Lines(first.Output));

        // Written after the first run's checkpoint, and readable by the time the second run starts.
        var checkpoint = await File.ReadAllTextAsync(_checkpointFile, TestContext.Current.CancellationToken);
        var checkpointed = ChangeKeys.StampOf(checkpoint);
        var after = new FakeTimeProvider(checkpointed.AddMilliseconds(1));
        await WriteAsync(after, TestCalls.Scored("athos_call_follow1", 2), TestCalls.Scored("athos_call_follow3", 1));
        while (TimeProvider.System.GetUtcNow() - CallChangeFeed.ReadMargin <= after.GetUtcNow())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), TestContext.Current.CancellationToken);
        }

        var second = await SampleProcess.RunAsync(_checkpointFile, storage.ConnectionString);

        Assert.True(second.ExitCode == 0, $"exit {second.ExitCode}; output:\n{second.Output}\nerrors:\n{second.Error}");
        Assert.Equal(
        [
            $"resuming after {checkpoint}",
            "change rescored athos_call_follow1",
            "call athos_call_follow1 scored score=62 rep=rep_a",
            "change scored_after_failure athos_call_follow3",
            "call athos_call_follow3 scored score=61 rep=rep_a",
            $"next checkpoint: {await File.ReadAllTextAsync(_checkpointFile, TestContext.Current.CancellationToken)}",
        ],
        Lines(second.Output));
    }

    private async Task WriteAsync(TimeProvider clock, params CallRow[] versions)
    {
        var writer = TestCalls.Writer(new TableServiceClient(storage.ConnectionString), clock);
        foreach (var version in versions)
        {
            await writer.WriteAsync(TestCalls.Fresh(version), PriorRow.Unknown, TestContext.Current.CancellationToken);
        }
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
