using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Writing;
using Azure.Data.Tables;

namespace Athos.Webhooks.Tests.Changes;

/// <summary>
/// A reader whose clock is minutes off the storage service's (real Azurite, whose <c>Date</c> is this machine's real
/// time; the reader's clock a <see cref="SkewedClock"/> over it) is refused with the skew before it returns anything read
/// up to a wrong bound; one within the allowance reads as usual.
/// </summary>
public sealed class CallChangeFeedClockTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    public async ValueTask InitializeAsync() => await storage.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_reader_minutes_ahead_is_refused_with_the_skew_before_it_returns_a_change_it_would_read_too_early()
    {
        // Stored two minutes ago: a reader four minutes ahead reads up to a minute ago, past it, though a change
        // stamped just before it might still be in flight.
        await WriteAsync("athos_call_early01", TimeSpan.FromMinutes(-2));
        var feed = Feed(TimeSpan.FromMinutes(4));

        var error = await Assert.ThrowsAsync<ClockSkewException>(() => feed.ReadChangesAsync(null, cancellationToken: TestContext.Current.CancellationToken));
        var fromCheckpoint = await Assert.ThrowsAsync<ClockSkewException>(() => feed.ReadChangesAsync(CallChangeFeed.CheckpointAt(DateTimeOffset.UtcNow.AddHours(-1)), cancellationToken: TestContext.Current.CancellationToken));

        // The Date header has whole seconds and is stamped during the request: the skew is known to within a second or so.
        Assert.InRange(error.Skew!.Value, TimeSpan.FromMinutes(3.5), TimeSpan.FromMinutes(4));
        Assert.Matches("^This machine's clock is at least (3 min [0-9]+ s|4 min) ahead of the storage service's", error.Message);
        Assert.Contains("Sync this machine's clock", error.Message, StringComparison.Ordinal);
        Assert.InRange(fromCheckpoint.Skew!.Value, TimeSpan.FromMinutes(3.5), TimeSpan.FromMinutes(4));
    }

    [Fact]
    public async Task A_reader_minutes_behind_is_refused_with_the_skew()
    {
        var error = await Assert.ThrowsAsync<ClockSkewException>(() => Feed(TimeSpan.FromMinutes(-4)).ReadChangesAsync(null, cancellationToken: TestContext.Current.CancellationToken));

        Assert.InRange(error.Skew!.Value, TimeSpan.FromMinutes(-4.5), TimeSpan.FromMinutes(-3.5));
        Assert.Matches("^This machine's clock is at least (3 min [0-9]+ s|4 min( [0-9]+ s)?) behind the storage service's", error.Message);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(-20)]
    public async Task A_reader_within_the_allowance_reads_as_usual(int seconds)
    {
        await WriteAsync("athos_call_settled01", TimeSpan.FromMinutes(-10));
        await WriteAsync("athos_call_recent01", TimeSpan.Zero);

        var page = await Feed(TimeSpan.FromSeconds(seconds)).ReadChangesAsync(CallChangeFeed.CheckpointAt(DateTimeOffset.UtcNow.AddHours(-1)), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["athos_call_settled01"], page.Changes.Select(c => c.CallId));
    }

    private CallChangeFeed Feed(TimeSpan skew) => new(new TableServiceClient(storage.ConnectionString), new SkewedClock(TimeProvider.System, skew));

    /// <summary>Stores a call's first version by a writer whose clock is <paramref name="skew"/> off real time.</summary>
    private async Task WriteAsync(string callId, TimeSpan skew) =>
        await TestCalls.Writer(new TableServiceClient(storage.ConnectionString), new SkewedClock(TimeProvider.System, skew))
            .WriteAsync(TestCalls.Fresh(TestCalls.Scored(callId, 1)), PriorRow.Unknown, TestContext.Current.CancellationToken);
}
