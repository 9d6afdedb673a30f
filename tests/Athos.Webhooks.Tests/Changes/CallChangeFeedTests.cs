using Athos.Webhooks.Changes;
using Athos.Webhooks.Tests.Fixtures;
using Athos.Webhooks.Writing;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Athos.Webhooks.Tests.Changes;

/// <summary>The consumer API of the change feed: checkpoints, pages, the margin, retention, the typed call.</summary>
public sealed class CallChangeFeedTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 6, 5, 13, 50, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Start);

    // Readers read through it: the storage service's clock is the test's, which a reader's clock is checked against.
    private StorageClockProxy _service = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _service = await StorageClockProxy.StartAsync(storage.Azurite, _clock);
    }

    public async ValueTask DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task Pages_resume_right_after_the_last_change_read_and_a_caught_up_checkpoint_moves_up_to_the_margin()
    {
        var ids = await WriteCallsAsync(7, TimeSpan.FromMinutes(3));
        _clock.Advance(CallChangeFeed.ReadMargin);
        var feed = Feed();

        var first = await feed.ReadChangesAsync(null, 3, TestContext.Current.CancellationToken);
        var second = await Feed().ReadChangesAsync(first.Checkpoint, 3, TestContext.Current.CancellationToken);
        var third = await feed.ReadChangesAsync(second.Checkpoint, 3, TestContext.Current.CancellationToken);
        var again = await feed.ReadChangesAsync(third.Checkpoint, 3, TestContext.Current.CancellationToken);

        Assert.Equal(ids, first.Changes.Concat(second.Changes).Concat(third.Changes).Select(c => c.CallId));
        Assert.Equal(new { FirstHasMore = true, SecondHasMore = true, ThirdHasMore = false, AgainHasMore = false }, new { FirstHasMore = first.HasMore, SecondHasMore = second.HasMore, ThirdHasMore = third.HasMore, AgainHasMore = again.HasMore });
        Assert.Equal(first.Changes[^1].Checkpoint, first.Checkpoint);
        Assert.Equal(CallChangeFeed.CheckpointAt(_clock.GetUtcNow() - CallChangeFeed.ReadMargin), third.Checkpoint);
        Assert.Empty(again.Changes);
        Assert.Equal(third.Checkpoint, again.Checkpoint);
        Assert.All(first.Changes, c => Assert.Equal(new { Kind = CallChangeKind.Created, KindName = "created" }, new { c.Kind, c.KindName }));
    }

    [Fact]
    public async Task A_change_is_readable_only_once_it_is_the_margin_old_by_the_reader_s_clock()
    {
        var id = (await WriteCallsAsync(1, TimeSpan.Zero))[0];
        var feed = Feed();

        _clock.Advance(CallChangeFeed.ReadMargin - TimeSpan.FromSeconds(1));
        var early = await feed.ReadChangesAsync(null, cancellationToken: TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromSeconds(2));
        var later = await feed.ReadChangesAsync(early.Checkpoint, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Empty(early.Changes);
        Assert.Equal([id], later.Changes.Select(c => c.CallId));
    }

    [Fact]
    public async Task A_checkpoint_at_a_time_reads_the_changes_stored_from_then_on_across_hours()
    {
        var ids = await WriteCallsAsync(4, TimeSpan.FromMinutes(40));
        _clock.Advance(TimeSpan.FromHours(1));

        var page = await Feed().ReadChangesAsync(CallChangeFeed.CheckpointAt(Start.AddMinutes(40)), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ids.Skip(1), page.Changes.Select(c => c.CallId));
        Assert.Equal(3, (await TestCalls.ChangeRowsAsync(storage.ConnectionString)).Select(r => r.PartitionKey).Distinct().Count());
    }

    [Fact]
    public async Task A_checkpoint_older_than_the_retention_is_refused_with_the_advice_to_re_sync_from_the_tables()
    {
        var old = CallChangeFeed.CheckpointAt(Start - ChangeFeedOptions.DefaultRetention - TimeSpan.FromMinutes(1));
        var recent = CallChangeFeed.CheckpointAt(Start - ChangeFeedOptions.DefaultRetention + TimeSpan.FromMinutes(1));

        var error = await Assert.ThrowsAsync<CheckpointExpiredException>(() => Feed().ReadChangesAsync(old, cancellationToken: TestContext.Current.CancellationToken));
        var page = await Feed().ReadChangesAsync(recent, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains("Re-sync from the tables", error.Message, StringComparison.Ordinal);
        Assert.Equal(old, error.Checkpoint);
        Assert.Empty(page.Changes);
    }

    [Fact]
    public async Task A_checkpoint_from_before_the_last_purge_is_refused_even_by_a_reader_that_assumes_a_longer_retention()
    {
        var ids = await WriteCallsAsync(3, TimeSpan.FromDays(1));
        var checkpoint = CallChangeFeed.CheckpointAt(Start);
        var purger = new CallChangeRetention(Tables(), Retention(TimeSpan.FromDays(1)), NullLogger<CallChangeRetention>.Instance);

        var purged = await purger.PurgeAsync(_clock.GetUtcNow(), TestContext.Current.CancellationToken);
        var longer = new CallChangeFeed(new TableServiceClient(_service.ConnectionString), _clock, TimeSpan.FromDays(400));
        var error = await Assert.ThrowsAsync<CheckpointExpiredException>(() => longer.ReadChangesAsync(checkpoint, cancellationToken: TestContext.Current.CancellationToken));
        _clock.Advance(CallChangeFeed.ReadMargin);
        var kept = await longer.ReadChangesAsync(null, cancellationToken: TestContext.Current.CancellationToken);

        // Retention 1 day and an hour's grace, whole hours: what was stamped before 12:00 two days after the first.
        Assert.Equal(2, purged);
        Assert.Equal(new DateTimeOffset(2026, 6, 7, 12, 0, 0, TimeSpan.Zero), error.KeptSince);
        Assert.Equal(ids.Skip(2), kept.Changes.Select(c => c.CallId));
        Assert.Single((await longer.ReadChangesAsync(CallChangeFeed.CheckpointAt(Start.AddDays(2)), cancellationToken: TestContext.Current.CancellationToken)).Changes);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("0639000000000000000_athos_call_a'b")]
    [InlineData("063900000000000000")]
    [InlineData("9999999999999999999")]
    public async Task A_string_that_is_not_a_checkpoint_is_refused(string checkpoint)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Feed().ReadChangesAsync(checkpoint, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("checkpoint", error.ParamName);
        Assert.False(CallChangeFeed.IsCheckpoint(checkpoint));
    }

    [Fact]
    public async Task The_typed_call_has_every_documented_column_and_names_its_change()
    {
        var row = TestCalls.Scored("athos_call_typed01", 2);
        row.ComplianceTotalScore = 87.5;
        var written = TestCalls.Fresh(row);
        written.RecordingStatus = RecordingStatus.Archived;
        await TestCalls.Writer(Tables(), _clock).WriteAsync(written, PriorRow.Unknown, TestContext.Current.CancellationToken);
        _clock.Advance(CallChangeFeed.ReadMargin + TimeSpan.FromSeconds(1));

        var change = Assert.Single((await Feed().ReadChangesAsync(null, cancellationToken: TestContext.Current.CancellationToken)).Changes);
        var call = await Feed().GetCallAsync(change.CallId, TestContext.Current.CancellationToken);

        Assert.Equal(new { CallId = row.CallId, Status = CallStatus.Scored, OverallScore = (double?)62.0, ScoredAt = row.ScoredAt, AthosUpdatedAt = row.AthosUpdatedAt, ExternalUserId = (string?)"rep_a", AgentId = (string?)"athos_agent_rep_a", ChangedAt = Start }, new { change.CallId, change.Status, change.OverallScore, change.ScoredAt, change.AthosUpdatedAt, change.ExternalUserId, change.AgentId, change.ChangedAt });
        Assert.NotNull(call);
        Assert.Equal(
            new { CallId = row.CallId, Status = CallStatus.Scored, Source = (string?)"roleplay", ExternalUserId = (string?)"rep_a", ExternalAgencyId = (string?)"agency_chicago", AgentId = (string?)"athos_agent_rep_a", DrillKey = (string?)"ma-full-sale", EndedAt = row.EndedAt, DurationSec = 360, OverallScore = 62.0, Summary = (string?)"version 2", ComplianceTotalScore = 87.5, RecordingStatus = (string?)RecordingStatus.Archived, AthosRequestId = (string?)"req_v2", SchemaVersion = CallRow.CurrentSchemaVersion },
            new { call.CallId, call.Status, call.Source, call.ExternalUserId, call.ExternalAgencyId, call.AgentId, call.DrillKey, call.EndedAt, DurationSec = call.DurationSec!.Value, OverallScore = call.OverallScore!.Value, call.Summary, ComplianceTotalScore = call.ComplianceTotalScore!.Value, call.RecordingStatus, call.AthosRequestId, call.SchemaVersion });
        Assert.Equal(new { ChangeKey = (string?)change.Checkpoint, ChangeKind = (string?)"created" }, new { call.ChangeKey, call.ChangeKind });
        Assert.Null(await Feed().GetCallAsync("athos_call_nothere", TestContext.Current.CancellationToken));
    }

    /// <summary>Stores <paramref name="count"/> new calls, <paramref name="apart"/> apart on the clock; their ids in order.</summary>
    private async Task<List<string>> WriteCallsAsync(int count, TimeSpan apart)
    {
        var writer = TestCalls.Writer(Tables(), _clock);
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = $"athos_call_feed{i:D2}";
            await writer.WriteAsync(TestCalls.Fresh(TestCalls.Scored(id, 1)), PriorRow.Unknown, TestContext.Current.CancellationToken);
            ids.Add(id);
            _clock.Advance(apart);
        }

        return ids;
    }

    private CallChangeFeed Feed() => new(new TableServiceClient(_service.ConnectionString), _clock);

    private TableServiceClient Tables() => new(storage.ConnectionString);

    private static IOptions<ChangeFeedOptions> Retention(TimeSpan retention) =>
        Options.Create(new ChangeFeedOptions { Retention = retention });
}
