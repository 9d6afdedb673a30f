using System.Collections.Concurrent;
using Athos.Webhooks.Changes;
using Athos.Webhooks.Storage;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Writing;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;

namespace Athos.Webhooks.Tests.Changes;

/// <summary>
/// Two writers on overlapping calls, their clocks up to the documented minute apart (fake clocks over one fake true
/// time), one of them delayed mid-write, and readers reading between every step: the reader that follows
/// <see cref="CallChangeFeed.ReadMargin"/> misses nothing and sees nothing twice; one that reads up to now (no margin)
/// misses the change whose insert was in flight, which is the hazard the margin exists for.
/// </summary>
public sealed class ChangeFeedConcurrencyTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly string[] Calls = [.. Enumerable.Range(0, 6).Select(i => $"athos_call_race{i:D2}")];

    private readonly StorageGate _gate = new();
    private readonly FakeTimeProvider _trueTime = new(TestCalls.Ended.AddDays(3));
    private readonly ConcurrentQueue<(string CallId, int Version)> _stored = new();

    // Readers read through it: the storage service's clock is true time, which the readers' clocks are checked against.
    private StorageClockProxy _service = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _service = await StorageClockProxy.StartAsync(storage.Azurite, _trueTime);
    }

    public async ValueTask DisposeAsync() => await _service.DisposeAsync();

    /// <param name="writerA">Writer A's clock, seconds from true time.</param>
    /// <param name="writerB">Writer B's clock.</param>
    /// <param name="reader">The readers' clock.</param>
    [Theory]
    [InlineData(30, -30, 30)]
    [InlineData(-30, 30, 30)]
    [InlineData(0, -60, 0)]
    [InlineData(60, 0, 0)]
    public async Task A_reader_following_the_margin_misses_no_change_of_skewed_racing_writers_with_one_delayed(int writerA, int writerB, int reader)
    {
        var a = new Writer("A", new SkewedClock(_trueTime, TimeSpan.FromSeconds(writerA)), this);
        var b = new Writer("B", new SkewedClock(_trueTime, TimeSpan.FromSeconds(writerB)), this);
        var readerClock = new SkewedClock(_trueTime, TimeSpan.FromSeconds(reader));
        var following = new Reader(new CallChangeFeed(new TableServiceClient(_service.ConnectionString), readerClock));
        var naive = new Reader(new CallChangeFeed(new TableServiceClient(_service.ConnectionString), ChangeFeedOptions.DefaultRetention, readerClock, TimeSpan.Zero));
        async Task ReadAsync()
        {
            await following.ReadAsync();
            await naive.ReadAsync();
        }

        // 1. A stores the first version of every call.
        foreach (var call in Calls)
        {
            await a.WriteAsync(call, 1);
            _trueTime.Advance(TimeSpan.FromSeconds(1));
        }

        await ReadAsync();

        // 2. Both at once on overlapping calls: B the second versions, A some of the same (duplicates) and some third.
        await Task.WhenAll(
            Task.WhenAll(Calls.Select(call => b.WriteAsync(call, 2))),
            Task.WhenAll(Calls.Skip(3).Select(call => a.WriteAsync(call, 2))),
            Task.WhenAll(Calls.Skip(4).Select(call => a.WriteAsync(call, 3))));
        _trueTime.Advance(TimeSpan.FromSeconds(1));
        await ReadAsync();

        // 3. A is delayed at its commit of Calls[0] v3 for six minutes (longer than the margin), while B goes on and
        // the readers read: its change must not land at the stamp it took before the commit.
        var commit = _gate.PauseBefore("A", r => r.Target == StorageNames.CallsTable && !r.IsRead);
        var delayedCommit = a.WriteAsync(Calls[0], 3);
        await commit.Reached;
        for (var step = 0; step < 12; step++)
        {
            _trueTime.Advance(TimeSpan.FromSeconds(30));
            await b.WriteAsync(Calls[2 + (step % 2)], 4 + (step / 2));
            await ReadAsync();
        }

        commit.Release();
        await delayedCommit;
        await ReadAsync();

        // 4. B is delayed after its commit of Calls[1] v3, its change's insert in flight for 10 s, while A writes.
        var append = _gate.PauseBefore("B", r => r.Target == StorageNames.CallChangesTable && !r.IsRead);
        var delayedAppend = b.WriteAsync(Calls[1], 3);
        await append.Reached;
        _trueTime.Advance(TimeSpan.FromSeconds(10));
        await a.WriteAsync(Calls[5], 4);
        _trueTime.Advance(TimeSpan.FromSeconds(1));
        await ReadAsync();
        append.Release();
        await delayedAppend;
        await ReadAsync();

        // 5. Every current version again, from both writers at once: duplicates, no change.
        var current = new Dictionary<string, int>();
        foreach (var (call, version) in _stored)
        {
            current[call] = Math.Max(current.GetValueOrDefault(call), version);
        }

        await Task.WhenAll(current.SelectMany(c => new[] { a.WriteAsync(c.Key, c.Value), b.WriteAsync(c.Key, c.Value) }));
        await ReadAsync();

        // Later, everything is readable.
        _trueTime.Advance(CallChangeFeed.ReadMargin + TimeSpan.FromMinutes(2));
        await ReadAsync();

        var rows = await TestCalls.ChangeRowsAsync(storage.ConnectionString);
        var changes = rows.Where(r => r.ChangeKind != ChangeKinds.Void).ToList();
        Assert.Equal(changes.Select(r => r.RowKey), following.Changes.Select(c => c.Checkpoint));
        Assert.Contains(rows, r => r.ChangeKind == ChangeKinds.Void);
        foreach (var call in Calls)
        {
            var stored = _stored.Where(s => s.CallId == call).Select(s => s.Version).Order().ToList();
            var seen = following.Changes.Where(c => c.CallId == call).Select(c => (int)(c.ScoredAt!.Value - TestCalls.Ended).TotalHours).ToList();
            Assert.Equal(stored, seen);
        }

        // The reader without a margin passed the stamp of B's change while its insert was in flight.
        var inFlight = Assert.Single(changes, r => r.CallId == Calls[1] && r.OverallScore == 63);
        Assert.DoesNotContain(naive.Changes, c => c.Checkpoint == inFlight.RowKey);
        Assert.Contains(following.Changes, c => c.Checkpoint == inFlight.RowKey);
    }

    private TableServiceClient GatedTables()
    {
        var options = new TableClientOptions();
        options.AddPolicy(_gate, HttpPipelinePosition.PerCall);
        return new TableServiceClient(storage.ConnectionString, options);
    }

    /// <summary>One instance of the app: its own clock, retrying a write that gives up on contention as the queue would.</summary>
    private sealed class Writer(string name, TimeProvider clock, ChangeFeedConcurrencyTests test)
    {
        private readonly CallRowWriter _rows = TestCalls.Writer(test.GatedTables(), clock);

        public Task<RowWriteResult> WriteAsync(string callId, int version) => StorageGate.RunAs(name, async () =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    // A first version is written as a webhook's is, on the guess that the call is new.
                    var prior = version == 1 ? PriorRow.ProbablyAbsent : PriorRow.Unknown;
                    var write = await _rows.WriteAsync(TestCalls.Fresh(TestCalls.Scored(callId, version)), prior, TestContext.Current.CancellationToken);
                    if (write.Outcome == RowWriteOutcome.Stored)
                    {
                        test._stored.Enqueue((callId, version));
                    }

                    return write;
                }
                catch (Exception ex) when (attempt < 20 && ex is StorageConflictException or RequestFailedException { Status: 409 or 412 })
                {
                    // Retried, as the queue retries a work item.
                }
            }
        });
    }

    /// <summary>A consumer: reads every page after its checkpoint, keeps what it read.</summary>
    private sealed class Reader(CallChangeFeed feed)
    {
        private string? _checkpoint;

        public List<CallChange> Changes { get; } = [];

        public async Task ReadAsync()
        {
            var (changes, checkpoint) = await TestCalls.ReadAllAsync(feed, _checkpoint);
            Changes.AddRange(changes);
            _checkpoint = checkpoint;
        }
    }
}
