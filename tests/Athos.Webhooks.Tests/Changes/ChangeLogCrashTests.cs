using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Writing;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;

namespace Athos.Webhooks.Tests.Changes;

/// <summary>
/// A writer killed or held between its <c>AthosCalls</c> commit and its change (real Azurite, a <see cref="StorageGate"/>
/// in the storage pipeline, a fake clock): the change is appended once, by the retry of the same version, at a stamp no
/// reader following the margin has passed.
/// </summary>
public sealed class ChangeLogCrashTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string CallId = "athos_call_crash01";

    private readonly StorageGate _gate = new();
    private readonly FakeTimeProvider _clock = new(TestCalls.Ended.AddDays(2));

    // The reader reads through it: the storage service's clock is the test's, which the reader's clock is checked against.
    private StorageClockProxy _service = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _service = await StorageClockProxy.StartAsync(storage.Azurite, _clock);
    }

    public async ValueTask DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task A_writer_killed_between_its_commit_and_its_change_is_completed_by_the_retry_exactly_once()
    {
        await WriteAsync(TestCalls.Scored(CallId, 1));
        await KillBeforeItsChangeAsync(TestCalls.Scored(CallId, 2));
        var committed = await MainAsync();
        Assert.Equal([ChangeKinds.Created], (await TestCalls.ChangeRowsAsync(storage.ConnectionString)).Select(r => r.ChangeKind));

        _clock.Advance(TimeSpan.FromSeconds(10));
        var retried = await StorageGate.RunAs("v2 retried", () => WriteAsync(TestCalls.Scored(CallId, 2)));
        var again = await StorageGate.RunAs("v2 again", () => WriteAsync(TestCalls.Scored(CallId, 2)));

        Assert.Equal(new { RetriedOutcome = RowWriteOutcome.Unchanged, AgainOutcome = RowWriteOutcome.Unchanged }, new { RetriedOutcome = retried.Outcome, AgainOutcome = again.Outcome });
        var rows = await TestCalls.ChangeRowsAsync(storage.ConnectionString);
        Assert.Equal([new { ChangeKind = ChangeKinds.Created, OverallScore = 61.0 }, new { ChangeKind = ChangeKinds.Rescored, OverallScore = 62.0 }], rows.Select(r => new { r.ChangeKind, OverallScore = r.OverallScore!.Value }));
        // Within the deadline the retry appends at the stamp the commit chose: the main row names it.
        Assert.Equal(committed.ChangeKey, rows[1].RowKey);
        Assert.Equal(committed.ChangeKey, (await MainAsync()).ChangeKey);
    }

    [Fact]
    public async Task A_retry_after_the_append_deadline_voids_the_old_stamp_and_appends_the_change_at_a_new_one()
    {
        await WriteAsync(TestCalls.Scored(CallId, 1));
        await KillBeforeItsChangeAsync(TestCalls.Scored(CallId, 2));
        var committed = await MainAsync();
        var reader = Feed();
        _clock.Advance(TimeSpan.FromMinutes(6));
        var (before, checkpoint) = await TestCalls.ReadAllAsync(reader, null);
        Assert.True(string.CompareOrdinal(checkpoint, committed.ChangeKey) > 0, "the reader has read past the stamp of the lost change");

        var retried = await WriteAsync(TestCalls.Scored(CallId, 2));
        _clock.Advance(CallChangeFeed.ReadMargin + TimeSpan.FromSeconds(1));
        var (after, _) = await TestCalls.ReadAllAsync(reader, checkpoint);

        Assert.Equal(RowWriteOutcome.Unchanged, retried.Outcome);
        var rows = await TestCalls.ChangeRowsAsync(storage.ConnectionString);
        Assert.Equal([ChangeKinds.Created, ChangeKinds.Void, ChangeKinds.Rescored], rows.Select(r => r.ChangeKind));
        Assert.Equal(committed.ChangeKey, rows[1].RowKey);
        Assert.Equal(_clock.GetUtcNow() - CallChangeFeed.ReadMargin - TimeSpan.FromSeconds(1), rows[2].ChangedAt);
        Assert.Equal(rows[2].RowKey, (await MainAsync()).ChangeKey);
        // A reader that had read past the old stamp still gets the change, once; the void row is not a change.
        Assert.Equal([CallChangeKind.Created], before.Select(c => c.Kind));
        Assert.Equal([new { Kind = CallChangeKind.Rescored, OverallScore = 62.0 }], after.Select(c => new { c.Kind, OverallScore = c.OverallScore!.Value }));
    }

    [Fact]
    public async Task A_slow_append_and_a_retry_of_the_same_version_append_one_change()
    {
        await WriteAsync(TestCalls.Scored(CallId, 1));
        var append = _gate.PauseBefore("v2", ChangeWrite);
        var slow = StorageGate.RunAs("v2", () => WriteAsync(TestCalls.Scored(CallId, 2)));
        await append.Reached;

        var retried = await StorageGate.RunAs("v2 retried", () => WriteAsync(TestCalls.Scored(CallId, 2)));
        append.Release();

        Assert.Equal(new { SlowOutcome = RowWriteOutcome.Stored, RetriedOutcome = RowWriteOutcome.Unchanged }, new { SlowOutcome = (await slow).Outcome, RetriedOutcome = retried.Outcome });
        Assert.Equal([ChangeKinds.Created, ChangeKinds.Rescored], (await TestCalls.ChangeRowsAsync(storage.ConnectionString)).Select(r => r.ChangeKind));
    }

    [Fact]
    public async Task A_writer_held_past_the_deadline_before_its_commit_appends_its_change_at_a_stamp_after_the_commit()
    {
        await WriteAsync(TestCalls.Scored(CallId, 1));
        var commit = _gate.PauseBefore("v2", MainWrite);
        var held = StorageGate.RunAs("v2", () => WriteAsync(TestCalls.Scored(CallId, 2)));
        await commit.Reached;
        _clock.Advance(TimeSpan.FromMinutes(4));
        commit.Release();

        Assert.Equal(RowWriteOutcome.Stored, (await held).Outcome);
        var rows = await TestCalls.ChangeRowsAsync(storage.ConnectionString);
        Assert.Equal([ChangeKinds.Created, ChangeKinds.Void, ChangeKinds.Rescored], rows.Select(r => r.ChangeKind));
        Assert.Equal(_clock.GetUtcNow(), rows[2].ChangedAt);
        Assert.Equal(rows[2].RowKey, (await MainAsync()).ChangeKey);
    }

    [Fact]
    public async Task A_version_replaced_before_its_lost_change_was_appended_is_reported_by_the_newer_version_s_change()
    {
        await WriteAsync(TestCalls.Scored(CallId, 1));
        await KillBeforeItsChangeAsync(TestCalls.Scored(CallId, 2));
        await WriteAsync(TestCalls.Scored(CallId, 3));

        var retried = await WriteAsync(TestCalls.Scored(CallId, 2));

        Assert.Equal(RowWriteOutcome.Superseded, retried.Outcome);
        var rows = await TestCalls.ChangeRowsAsync(storage.ConnectionString);
        Assert.Equal([new { ChangeKind = ChangeKinds.Created, OverallScore = 61.0 }, new { ChangeKind = ChangeKinds.Rescored, OverallScore = 63.0 }], rows.Select(r => new { r.ChangeKind, OverallScore = r.OverallScore!.Value }));
    }

    [Fact]
    public async Task Each_stored_version_is_one_change_of_its_kind_and_duplicates_older_versions_and_schema_rewrites_are_none()
    {
        var fresh = "athos_call_kinds01";
        var failing = "athos_call_kinds02";
        var results = new List<RowWriteOutcome>();
        async Task Write(CallRow row)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            results.Add((await WriteAsync(row)).Outcome);
        }

        await Write(TestCalls.Scored(fresh, 1));
        await Write(TestCalls.Scored(fresh, 1));
        await Write(TestCalls.Scored(fresh, 3));
        await Write(TestCalls.Scored(fresh, 2));
        await Write(TestCalls.Failure(fresh));
        await Write(TestCalls.Failure(failing));
        await Write(TestCalls.Failure(failing));
        await Write(TestCalls.Scored(failing, 1));
        var upgraded = TestCalls.Scored(fresh, 3);
        upgraded.SchemaVersion = CallRow.CurrentSchemaVersion + 1;
        await Write(upgraded);

        Assert.Equal(
            [RowWriteOutcome.Stored, RowWriteOutcome.Unchanged, RowWriteOutcome.Stored, RowWriteOutcome.Superseded, RowWriteOutcome.Superseded, RowWriteOutcome.Stored, RowWriteOutcome.Unchanged, RowWriteOutcome.Stored, RowWriteOutcome.Stored],
            results);
        var rows = await TestCalls.ChangeRowsAsync(storage.ConnectionString);
        Assert.Equal(
            [new { CallId = fresh, ChangeKind = ChangeKinds.Created }, new { CallId = fresh, ChangeKind = ChangeKinds.Rescored }, new { CallId = failing, ChangeKind = ChangeKinds.Failed }, new { CallId = failing, ChangeKind = ChangeKinds.ScoredAfterFailure }],
            rows.Select(r => new { r.CallId, r.ChangeKind }));
        Assert.All(rows, r => Assert.Equal(ChangeKeys.PartitionKey(r.ChangedAt), r.PartitionKey));
        var main = await new CallReader(Tables()).GetAsync(fresh, TestContext.Current.CancellationToken);
        Assert.Equal(new { ChangeKey = (string?)rows[1].RowKey, ChangeKind = (string?)ChangeKinds.Rescored, SchemaVersion = CallRow.CurrentSchemaVersion + 1 }, new { main!.ChangeKey, main.ChangeKind, main.SchemaVersion });
        var scored = rows[3];
        Assert.Equal(new { Status = (string?)CallStatus.Scored, OverallScore = 61.0, ScoredAt = TestCalls.Ended.AddHours(1), ExternalUserId = (string?)"rep_a", AgentId = (string?)"athos_agent_rep_a" }, new { scored.Status, OverallScore = scored.OverallScore!.Value, ScoredAt = scored.ScoredAt!.Value, scored.ExternalUserId, scored.AgentId });
    }

    /// <summary>Writes <paramref name="version"/> as a writer that dies right before its change's insert, after its commit.</summary>
    private async Task KillBeforeItsChangeAsync(CallRow version)
    {
        var append = _gate.PauseBefore("killed", ChangeWrite);
        var writer = StorageGate.RunAs("killed", () => WriteAsync(version));
        await append.Reached;
        append.Kill();
        await Assert.ThrowsAsync<WriterKilledException>(() => writer);
        Assert.Equal(version.ScoredAt, (await MainAsync()).ScoredAt);
    }

    private static bool ChangeWrite(StorageRequest request) => request.Target == StorageNames.CallChangesTable && !request.IsRead;

    private static bool MainWrite(StorageRequest request) => request.Target == StorageNames.CallsTable && !request.IsRead;

    private Task<RowWriteResult> WriteAsync(CallRow row) =>
        TestCalls.Writer(Tables(), _clock).WriteAsync(TestCalls.Fresh(row), PriorRow.Unknown, TestContext.Current.CancellationToken);

    private async Task<CallRow> MainAsync() => (await new CallReader(Tables()).GetAsync(CallId, TestContext.Current.CancellationToken))!;

    private CallChangeFeed Feed() => new(new TableServiceClient(_service.ConnectionString), _clock);

    private TableServiceClient Tables()
    {
        var options = new TableClientOptions();
        options.AddPolicy(_gate, HttpPipelinePosition.PerCall);
        return new TableServiceClient(storage.ConnectionString, options);
    }
}
