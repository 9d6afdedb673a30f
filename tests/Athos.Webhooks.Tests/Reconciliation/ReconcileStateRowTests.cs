using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Tests.Fixtures;
using Azure.Data.Tables;

namespace Athos.Webhooks.Tests.Reconciliation;

/// <summary>
/// The reconciler's state row is read and written through a typed row, with the column names and types earlier
/// versions stored: an existing deployment reads on, and each save merges only its own columns.
/// </summary>
public sealed class ReconcileStateRowTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly DateTimeOffset Started = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private TableClient _state = null!;
    private ReconcileStateStore _store = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _state = new TableClient(storage.ConnectionString, StorageNames.StateTable);
        _store = new ReconcileStateStore(new TableServiceClient(storage.ConnectionString));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_state_row_written_with_the_earlier_string_keyed_columns_reads_back_whole()
    {
        // Exactly as the string-keyed writer stored it, before the typed row.
        await _state.UpsertEntityAsync(
            new TableEntity("reconcile", "state")
            {
                ["Watermark"] = Started.AddMinutes(-30),
                ["WatermarkRealCall"] = Started.AddMinutes(-20),
                ["Contract"] = "current",
                ["LastSuccessAt"] = Started.AddMinutes(1),
                ["LastPurgeAt"] = Started.AddDays(-1),
                ["LastRunStatus"] = "Partial",
                ["LastRunStartedAt"] = Started,
                ["LastRunEndedAt"] = Started.AddMinutes(1),
                ["LastRunFrom"] = Started.AddHours(-2),
                ["LastRunTo"] = Started,
                ["LastRunPages"] = 3,
                ["LastRunListed"] = 250,
                ["LastRunMissing"] = 4,
                ["LastRunStale"] = 2,
                ["LastRunQueued"] = 5,
                ["LastRunPending"] = 1,
                ["LastRunSkippedIds"] = 6,
                ["LastRunAthosRequests"] = 7,
                ["LastRunErrors"] = 2,
                ["LastRunError"] = "budget used",
                ["LastRunSources"] = """[{"source":"roleplay","status":"Succeeded","pages":3,"listed":250}]""",
            },
            TableUpdateMode.Replace,
            TestContext.Current.CancellationToken);

        var state = await _store.GetAsync(TestContext.Current.CancellationToken);
        var summary = await _store.GetSummaryAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Started.AddMinutes(-30), state.WatermarkOf(CallSources.Roleplay));
        Assert.Equal(Started.AddMinutes(-20), state.WatermarkOf(CallSources.RealCall));
        Assert.Equal(AthosContract.Current, state.Contract);
        Assert.Equal(Started.AddDays(-1), state.LastPurgeAt);
        Assert.Equal(ReconcileOutcome.Partial, state.LastRunStatus);
        Assert.Equal(Started.AddMinutes(1), summary.LastSuccessAt);
        var run = Assert.IsType<ReconcileRun>(summary.LastRun);
        Assert.Equal(
            new ReconcileRun
            {
                Status = ReconcileOutcome.Partial,
                StartedAt = Started,
                EndedAt = Started.AddMinutes(1),
                From = Started.AddHours(-2),
                To = Started,
                Pages = 3,
                Listed = 250,
                Missing = 4,
                Stale = 2,
                Queued = 5,
                Pending = 1,
                SkippedIds = 6,
                AthosRequests = 7,
                Errors = 2,
                Error = "budget used",
                Contract = AthosContract.Current,
                Sources = run.Sources,
            },
            run);
        Assert.Equal(new SourceRun(CallSources.Roleplay, ReconcileOutcome.Succeeded, Pages: 3, Listed: 250), Assert.Single(run.Sources));
    }

    [Fact]
    public async Task Each_save_writes_only_its_own_columns_under_their_earlier_names_and_types()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await _store.SaveRunAsync(
            new ReconcileRun
            {
                Status = ReconcileOutcome.Succeeded,
                StartedAt = Started,
                EndedAt = Started.AddMinutes(1),
                Pages = 2,
                Error = "first",
                Contract = AthosContract.Current,
                Sources = [new SourceRun(CallSources.Roleplay, ReconcileOutcome.Succeeded), new SourceRun(CallSources.RealCall, ReconcileOutcome.Succeeded)],
            },
            cancellationToken);
        await _store.SaveWatermarkAsync(CallSources.RealCall, Started.AddMinutes(5), cancellationToken);
        await _store.SavePurgeAsync(Started.AddMinutes(6), cancellationToken);
        await _store.SaveContractAsync(AthosContract.Early, cancellationToken);

        // A failed run without a contract or sources moves neither the watermarks, the last success nor the contract; it
        // has no end, no error and no window, so the first run's are gone: the last-run columns are the last run's alone.
        await _store.SaveRunAsync(new ReconcileRun { Status = ReconcileOutcome.Failed, StartedAt = Started.AddHours(1), Pages = 1 }, cancellationToken);

        var row = (await _state.GetEntityAsync<TableEntity>("reconcile", "state", cancellationToken: cancellationToken)).Value;
        Assert.Equal(Started, row["Watermark"]);
        Assert.Equal(Started.AddMinutes(5), row["WatermarkRealCall"]);
        Assert.Equal(Started.AddMinutes(1), row["LastSuccessAt"]);
        Assert.Equal(Started.AddMinutes(6), row["LastPurgeAt"]);
        Assert.Equal("early", row["Contract"]);
        Assert.Equal("Failed", row["LastRunStatus"]);
        Assert.Equal(Started.AddHours(1), row["LastRunStartedAt"]);
        Assert.Equal(1, row["LastRunPages"]);
        Assert.Equal(
            [
                "Contract", "LastPurgeAt", "LastRunAthosRequests", "LastRunErrors", "LastRunListed",
                "LastRunMissing", "LastRunPages", "LastRunPending", "LastRunQueued", "LastRunSkippedIds", "LastRunSources", "LastRunStale",
                "LastRunStartedAt", "LastRunStatus", "LastSuccessAt", "Watermark", "WatermarkRealCall",
            ],
            row.Keys.Where(k => k is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_run_replaces_every_last_run_column_the_run_before_wrote_and_keeps_the_other_writers_columns()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await _store.SaveWatermarkAsync(CallSources.RealCall, Started.AddMinutes(-20), cancellationToken);
        await _store.SavePurgeAsync(Started.AddDays(-1), cancellationToken);
        await _store.SaveContractAsync(AthosContract.Current, cancellationToken);
        await _store.SaveRunAsync(
            new ReconcileRun
            {
                Status = ReconcileOutcome.Failed,
                StartedAt = Started,
                EndedAt = Started.AddMinutes(1),
                From = Started.AddHours(-1),
                To = Started,
                Errors = 1,
                Error = "roleplay: Athos answered 401 API_KEY_REVOKED",
                Sources = [new SourceRun(CallSources.Roleplay, ReconcileOutcome.Failed, Note: "Athos answered 401 API_KEY_REVOKED")],
            },
            cancellationToken);

        // A run with nothing to list: no window, no counts, no error.
        await _store.SaveRunAsync(new ReconcileRun { Status = ReconcileOutcome.Succeeded, StartedAt = Started.AddMinutes(10), EndedAt = Started.AddMinutes(11) }, cancellationToken);

        var summary = await _store.GetSummaryAsync(cancellationToken);
        Assert.Equal(
            new ReconcileRun { Status = ReconcileOutcome.Succeeded, StartedAt = Started.AddMinutes(10), EndedAt = Started.AddMinutes(11), Contract = AthosContract.Current, Sources = summary.LastRun!.Sources },
            summary.LastRun);
        Assert.Empty(summary.LastRun.Sources);
        var state = await _store.GetAsync(cancellationToken);
        Assert.Equal(
            new { RealCall = (DateTimeOffset?)Started.AddMinutes(-20), LastPurgeAt = (DateTimeOffset?)Started.AddDays(-1), Contract = (AthosContract?)AthosContract.Current },
            new { RealCall = state.WatermarkOf(CallSources.RealCall), state.LastPurgeAt, state.Contract });
        var row = (await _state.GetEntityAsync<TableEntity>("reconcile", "state", cancellationToken: cancellationToken)).Value;
        Assert.Equal(0, row["LastRunErrors"]);
        Assert.False(row.ContainsKey("LastRunError"));
    }

    [Fact]
    public async Task Runs_saved_while_the_other_writers_merge_keep_every_other_writers_column()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await _store.SaveRunAsync(new ReconcileRun { Status = ReconcileOutcome.Failed, StartedAt = Started }, cancellationToken);

        // Runs replace the row as read: one that read it before a merge must not write it back without the merge's
        // column. Runs follow one another (the reconcile lease keeps them so); while each is being saved, each other
        // writer merges a new value once, having first checked that its previous value is still there. So a run meets
        // at most two merges, as in production it meets hardly any (a watermark per chunk, the contract once, a purge an hour).
        var saved = 0;
        var runs = Task.Run(
            async () =>
            {
                for (var i = 1; i <= 40; i++)
                {
                    await _store.SaveRunAsync(new ReconcileRun { Status = ReconcileOutcome.Failed, StartedAt = Started.AddMinutes(i) }, cancellationToken);
                    Interlocked.Increment(ref saved);
                }
            },
            cancellationToken);

        async Task<DateTimeOffset?> KeepMergingAsync(string column, Func<ReconcileState, DateTimeOffset?> read, Func<DateTimeOffset, Task> merge)
        {
            DateTimeOffset? written = null;
            var mergedAfter = -1;
            for (var k = 1; !runs.IsCompleted;)
            {
                if (Volatile.Read(ref saved) == mergedAfter)
                {
                    await Task.Delay(1, cancellationToken);
                    continue;
                }

                mergedAfter = Volatile.Read(ref saved);
                Assert.True(written == read(await _store.GetAsync(cancellationToken)), $"{column} {written:o} was lost by a run");
                written = Started.AddDays(-k++);
                await merge(written.Value);
            }

            return written;
        }

        var merged = await Task.WhenAll(
            KeepMergingAsync("LastPurgeAt", state => state.LastPurgeAt, at => _store.SavePurgeAsync(at, cancellationToken)),
            KeepMergingAsync("the real_call watermark", state => state.WatermarkOf(CallSources.RealCall), at => _store.SaveWatermarkAsync(CallSources.RealCall, at, cancellationToken)));
        await runs;
        await _store.SaveContractAsync(AthosContract.Current, cancellationToken);
        await _store.SaveRunAsync(new ReconcileRun { Status = ReconcileOutcome.Failed, StartedAt = Started.AddHours(1) }, cancellationToken);

        var state = await _store.GetAsync(cancellationToken);
        Assert.Equal(
            new { Contract = (AthosContract?)AthosContract.Current, LastPurgeAt = merged[0], RealCall = merged[1] },
            new { state.Contract, state.LastPurgeAt, RealCall = state.WatermarkOf(CallSources.RealCall) });
    }
}
