using Athos.Webhooks.Storage;
using Athos.Webhooks.Tests.Changes;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Writing;
using Azure;
using Azure.Core;
using Azure.Data.Tables;

namespace Athos.Webhooks.Tests.Storage;

/// <summary>
/// Concurrent versions of one call, their writers interleaved at chosen requests (real Azurite, a <see cref="StorageGate"/>
/// in the storage pipeline): once every writer has finished, the index rows hold exactly the main row's version.
/// </summary>
public sealed class IndexConvergenceTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string CallId = "athos_call_interleaved01";

    private StorageGate _gate = new();
    private TestTables _tables = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _tables = new TestTables(storage.ConnectionString);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// v2 loses its commit to v3 and re-projects the index from the v3 it read; v4 commits meanwhile. The old writer
    /// put v3 back over (or beside) v4's index rows.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_writer_that_loses_its_commit_never_puts_back_the_version_it_lost_to(bool v4MovesDay)
    {
        var (v1, v2, v3, v4) = Versions(v4MovesDay);
        await WriteAsync(v1);

        var v2Commit = _gate.PauseBefore("v2", MainWrite);
        var v2Writer = StorageGate.RunAs("v2", () => WriteAsync(v2));
        await v2Commit.Reached;
        await StorageGate.RunAs("v3", () => WriteAsync(v3));
        var v2AfterLosing = _gate.PauseBefore("v2", IndexRequest);
        v2Commit.Release();
        // The old writer always touches the index here; one that has nothing to clean up may simply finish.
        await Task.WhenAny(v2AfterLosing.Reached, v2Writer);
        await StorageGate.RunAs("v4", () => WriteAsync(v4));
        v2AfterLosing.Release();

        Assert.Equal(RowWriteOutcome.Superseded, (await v2Writer).Outcome);
        await AssertIndexHoldsExactlyAsync(v4);
    }

    /// <summary>
    /// v3 reads v2, is held before its first index request while v4 commits, puts its index rows, and dies before its
    /// commit; the queue retries it later. The old writer's retry found nothing to do and left v3 in the index.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_writer_that_dies_after_its_index_rows_and_is_retried_leaves_no_old_version(bool v4MovesDay)
    {
        var (v1, v2, v3, v4) = Versions(v4MovesDay);
        await WriteAsync(v1);
        await WriteAsync(v2);

        var v3Index = _gate.PauseBefore("v3", IndexRequest);
        var v3Writer = StorageGate.RunAs("v3", () => WriteAsync(v3));
        await v3Index.Reached;
        await StorageGate.RunAs("v4", () => WriteAsync(v4));
        var v3Commit = _gate.PauseBefore("v3", MainWrite);
        v3Index.Release();
        await v3Commit.Reached;
        v3Commit.Kill();
        await Assert.ThrowsAsync<WriterKilledException>(() => v3Writer);
        var retried = await StorageGate.RunAs("v3 retried", () => WriteAsync(Versions(v4MovesDay).V3));

        Assert.Equal(RowWriteOutcome.Superseded, retried.Outcome);
        await AssertIndexHoldsExactlyAsync(v4);
    }

    /// <summary>
    /// v3 moves the call to another rep and dies right after its commit (its retry finds its own version stored and does
    /// nothing): the rows at v2's keys must already be gone by then.
    /// </summary>
    [Fact]
    public async Task A_writer_that_dies_right_after_its_commit_leaves_no_row_at_the_old_keys()
    {
        var (v1, v2, v3, _) = Versions(v4MovesDay: false);
        await WriteAsync(v1);
        await WriteAsync(v2);

        var v3Commit = _gate.PauseBefore("v3", MainWrite);
        var v3Writer = StorageGate.RunAs("v3", () => WriteAsync(v3));
        await v3Commit.Reached;
        var afterCommit = _gate.PauseBefore("v3", _ => true);
        v3Commit.Release();
        if (await Task.WhenAny(afterCommit.Reached, v3Writer) != v3Writer)
        {
            afterCommit.Kill();
            await Assert.ThrowsAsync<WriterKilledException>(() => v3Writer);
        }

        var retried = await StorageGate.RunAs("v3 retried", () => WriteAsync(v3));

        Assert.Equal(RowWriteOutcome.Unchanged, retried.Outcome);
        await AssertIndexHoldsExactlyAsync(v3);
    }

    /// <summary>
    /// Two fetches of the same version (other <c>EnrichedAt</c> and request id): the first puts its index rows, the
    /// second finds them and commits first. The index ends with the committed values, not the first writer's.
    /// </summary>
    [Fact]
    public async Task Two_fetches_of_one_version_leave_the_index_with_the_values_that_were_committed()
    {
        var (v1, _, _, v4) = Versions(v4MovesDay: true);
        await WriteAsync(v1);

        var firstCommit = _gate.PauseBefore("first", MainWrite);
        var first = StorageGate.RunAs("first", () => WriteAsync(v4));
        await firstCommit.Reached;
        var second = await StorageGate.RunAs("second", () => WriteAsync(Copy(v4, "second")));
        firstCommit.Release();

        Assert.Equal(new { FirstOutcome = RowWriteOutcome.Unchanged, SecondOutcome = RowWriteOutcome.Stored }, new { FirstOutcome = (await first).Outcome, SecondOutcome = second.Outcome });
        Assert.Equal("req_v4_second", (await _tables.MainAsync(CallId))!.AthosRequestId);
        await AssertIndexHoldsExactlyAsync(v4);
    }

    /// <summary>
    /// An operator's repair rolls an index row back to the main row while the writer that put it is about to commit:
    /// the repair touches the main row, so that writer's commit fails and it puts its rows again.
    /// </summary>
    [Fact]
    public async Task A_repair_that_rolls_back_the_rows_of_a_writer_in_flight_makes_it_put_them_again()
    {
        var (v1, v2, _, _) = Versions(v4MovesDay: false);
        await WriteAsync(v1);

        var v2Commit = _gate.PauseBefore("v2", MainWrite);
        var v2Writer = StorageGate.RunAs("v2", () => WriteAsync(v2));
        await v2Commit.Reached;
        var repaired = await new CallIndex(Tables()).RepairAsync(CallId, [], TestContext.Current.CancellationToken);
        v2Commit.Release();

        Assert.Equal(2, repaired.Count);
        Assert.Equal(RowWriteOutcome.Stored, (await v2Writer).Outcome);
        await AssertIndexHoldsExactlyAsync(v2);
    }

    /// <summary>
    /// Many rounds of a scoring failure and four versions (random reps and days), each sent twice, racing with random
    /// delays before every storage request; half the writers guess there is no row yet, as a webhook's writer does.
    /// </summary>
    [Fact]
    public async Task Versions_and_a_failure_sent_twice_at_once_with_random_delays_end_with_the_index_at_the_main_row()
    {
        _gate = new StorageGate(() => TimeSpan.FromMilliseconds(Random.Shared.Next(0, 4)));
        var random = new Random(20260310);
        for (var round = 0; round < 25; round++)
        {
            var callId = $"athos_call_stress{round:D2}";
            string Rep() => random.Next(2) == 0 ? "rep_a" : "rep_b";
            DateTimeOffset Day() => random.Next(2) == 0 ? TestCalls.Ended : TestCalls.Ended.AddDays(-1);
            var versions = Enumerable.Range(1, 4).Select(n => TestCalls.Scored(callId, n, Rep(), Day())).ToList();
            var failure = TestCalls.Failure(callId, Rep(), Day().AddMinutes(1));
            var writers = versions.Prepend(failure)
                .SelectMany(v => new[] { v, Copy(v, "again") })
                .Select((v, i) => StorageGate.RunAs($"{callId} writer {i}", () => WriteUntilDoneAsync(v, i % 2 == 0 ? PriorRow.ProbablyAbsent : PriorRow.Unknown)))
                .ToList();
            await Task.WhenAll(writers);

            var main = (await _tables.MainAsync(callId))!;
            Assert.Equal(versions[3].ScoredAt, main.ScoredAt);
            await AssertIndexHoldsExactlyAsync(main);
        }
    }

    private static bool MainWrite(StorageRequest request) => request.Target == StorageNames.CallsTable && !request.IsRead;

    private static bool IndexRequest(StorageRequest request) => request.Target is StorageNames.CallsByUserTable or StorageNames.CallsByDayTable;

    /// <summary>v1 and v2 by rep_a, v3 moved to rep_b (a correction), v4 rescored and, optionally, moved a day back.</summary>
    private static (CallRow V1, CallRow V2, CallRow V3, CallRow V4) Versions(bool v4MovesDay) =>
        (TestCalls.Scored(CallId, 1), TestCalls.Scored(CallId, 2), TestCalls.Scored(CallId, 3, "rep_b"), TestCalls.Scored(CallId, 4, "rep_b", v4MovesDay ? TestCalls.Ended.AddDays(-1) : null));

    /// <summary>The same version fetched again: equal for <see cref="CallVersion"/>, yet other values where Athos gives none.</summary>
    private static CallRow Copy(CallRow row, string suffix)
    {
        var copy = TestCalls.Fresh(row);
        copy.EnrichedAt = row.EnrichedAt!.Value.AddSeconds(1);
        copy.AthosRequestId = row.AthosRequestId + "_" + suffix;
        return copy;
    }

    private Task<RowWriteResult> WriteAsync(CallRow row) =>
        TestCalls.Writer(Tables()).WriteAsync(TestCalls.Fresh(row), PriorRow.Unknown, TestContext.Current.CancellationToken);

    /// <summary>As the queue would: a writer that gives up on contention (or a conflicting request) is run again.</summary>
    private async Task<RowWriteResult> WriteUntilDoneAsync(CallRow row, PriorRow prior)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TestCalls.Writer(Tables()).WriteAsync(TestCalls.Fresh(row), prior, TestContext.Current.CancellationToken);
            }
            catch (Exception ex) when (attempt < 20 && ex is StorageConflictException or RequestFailedException { Status: 409 or 412 })
            {
                // Retried, as the queue retries a work item.
            }
        }
    }

    private TableServiceClient Tables()
    {
        var options = new TableClientOptions();
        options.AddPolicy(_gate, HttpPipelinePosition.PerCall);
        return new TableServiceClient(storage.ConnectionString, options);
    }

    /// <summary>The main row holds <paramref name="expected"/>'s version, and each index table exactly one row for the call, at its keys, with its values.</summary>
    private async Task AssertIndexHoldsExactlyAsync(CallRow expected)
    {
        var main = (await _tables.MainAsync(expected.CallId))!;
        Assert.Equal(Values(expected) with { EnrichedAt = null, AthosRequestId = null }, Values(main) with { EnrichedAt = null, AthosRequestId = null });
        var (byUser, byDay) = await _tables.IndexRowsAsync(expected.CallId);
        var rowKey = TableKeys.NewestFirstRowKey(expected.EndedAt!.Value, expected.CallId);
        Assert.Equal([new { PartitionKey = expected.ExternalUserId!, RowKey = rowKey, Values = Values(main) }], byUser.Select(r => new { r.PartitionKey, r.RowKey, Values = Values(r) }));
        Assert.Equal([new { PartitionKey = TableKeys.Day(expected.EndedAt!.Value), RowKey = rowKey, Values = Values(main) }], byDay.Select(r => new { r.PartitionKey, r.RowKey, Values = Values(r) }));
    }

    private static RowValues Values(CallRow row) =>
        new(row.Status, row.ExternalUserId, row.EndedAt, row.ScoredAt, row.AthosUpdatedAt, row.OverallScore, row.Summary, row.Feedback, row.EnrichedAt, row.AthosRequestId, row.SchemaVersion);

    private sealed record RowValues(
        string Status,
        string? Rep,
        DateTimeOffset? EndedAt,
        DateTimeOffset? ScoredAt,
        DateTimeOffset? UpdatedAt,
        double? Score,
        string? Summary,
        string? Feedback,
        DateTimeOffset? EnrichedAt,
        string? AthosRequestId,
        int SchemaVersion);
}
