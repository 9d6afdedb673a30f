using System.Diagnostics.Metrics;
using System.Text.Json;
using Athos.Webhooks.Cli.Commands;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Exports;
using Athos.Webhooks.Health;
using Athos.Webhooks.Reconciliation;
using Athos.Webhooks.Telemetry;
using Athos.Webhooks.Tests.Changes;
using Athos.Webhooks.Tests.Fixtures;
using Azure.Data.Tables;
using DuckDB.NET.Data;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Athos.Webhooks.Tests.Exports;

/// <summary>
/// <c>calls/changes/</c> against real Azurite, read back with DuckDB: every change of the feed exactly once with every
/// value, its schema (UTC timestamps, not INT96; doubles; nullable where the table is), erasure with <c>forget</c>,
/// compaction, the lease, and the lag that status and the health endpoint show.
/// </summary>
public sealed class ChangesExportTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private ExportStack _stack = null!;

    public async ValueTask InitializeAsync()
    {
        await storage.ResetAsync();
        _stack = await ExportStack.StartAsync(storage);
    }

    public async ValueTask DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Every_change_of_the_feed_is_exported_once_and_DuckDB_reads_back_every_value()
    {
        using var lag = new MetricCollector<double>(_stack.App.Get<IMeterFactory>(), AthosMetrics.MeterName, AthosMetrics.Names.ExportLag);
        await WriteHistoryAsync();
        var first = await _stack.ExportAsync();
        await _stack.WriteAsync(TestCalls.Scored("athos_call_exp01", 3), TimeSpan.FromMinutes(10));
        await _stack.WriteAsync(TestCalls.Scored("athos_call_exp05", 1, rep: "rep_b"), TimeSpan.FromMinutes(10));
        var second = await _stack.ExportAsync();
        var again = await _stack.ExportAsync();

        var feed = await _stack.FeedAsync();
        var exported = ExportStack.ReadWithDuckDb(await _stack.CopyAsync());

        Assert.Equal(feed.Select(ExportStack.Expected), exported);
        Assert.Equal(
            new { FirstStatus = "succeeded", FirstRows = 8, SecondRows = 2, AgainRows = 0, AgainFiles = 0 },
            new { FirstStatus = first.Status, FirstRows = first.Changes!.Rows, SecondRows = second.Changes!.Rows, AgainRows = again.Changes!.Rows, AgainFiles = again.Changes!.Files });
        Assert.Contains(exported, r => r.OverallScore is null && r.Status == "failed");
        Assert.True(exported.Select(r => r.Date).Distinct().Count() >= 2, "the history spans several dates");
        Assert.Equal(first.Changes.Files + second.Changes.Files, (await _stack.ChangesFilesAsync()).Count);
        Assert.All(lag.GetMeasurementSnapshot(), m => Assert.Equal("changes", m.Tags[AthosMetrics.Tags.Dataset]));
        Assert.Equal(3, lag.GetMeasurementSnapshot().Count);
        Assert.Equal(CallChangeFeed.ReadMargin.TotalSeconds, lag.LastMeasurement!.Value);
    }

    [Fact]
    public async Task The_files_have_UTC_timestamps_not_INT96_double_scores_and_optional_columns_where_the_table_has_them()
    {
        await WriteHistoryAsync();
        await _stack.ExportAsync();
        var file = Directory.GetFiles(Path.Combine(await _stack.CopyAsync(), "calls", "changes"), "*.parquet", SearchOption.AllDirectories)[0];

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name, type, repetition_type, CAST(logical_type AS VARCHAR) FROM parquet_schema('{file}') WHERE type IS NOT NULL";
        var columns = new Dictionary<string, (string Type, string Repetition, string? Logical)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                columns[reader.GetString(0)] = (reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3));
            }
        }

        command.CommandText = $"SELECT column_name, column_type, \"null\" FROM (DESCRIBE SELECT * FROM read_parquet('{file}'))";
        var described = new Dictionary<string, string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                described[reader.GetString(0)] = reader.GetString(1);
            }
        }

        Assert.Equal(["CallId", "ChangeKind", "ChangedAt", "Status", "OverallScore", "ScoredAt", "AthosUpdatedAt", "ExternalUserId", "AgentId", "Checkpoint"], columns.Keys);
        foreach (var time in new[] { "ChangedAt", "ScoredAt", "AthosUpdatedAt" })
        {
            Assert.Equal("INT64", columns[time].Type);
            Assert.Contains("isAdjustedToUTC=1", columns[time].Logical, StringComparison.Ordinal);
            Assert.Equal("TIMESTAMP WITH TIME ZONE", described[time]);
        }

        Assert.DoesNotContain(columns.Values, c => c.Type == "INT96");
        Assert.Equal("DOUBLE", described["OverallScore"]);
        Assert.Equal(
            ["AgentId", "AthosUpdatedAt", "ExternalUserId", "OverallScore", "ScoredAt"],
            columns.Where(c => c.Value.Repetition == "OPTIONAL").Select(c => c.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_erased_call_leaves_every_changes_file_that_held_it_and_the_run_asks_for_the_rebuild()
    {
        await WriteHistoryAsync();
        await _stack.ExportAsync();
        await _stack.WriteAsync(TestCalls.Scored("athos_call_exp01", 3), TimeSpan.FromMinutes(10));
        await _stack.ExportAsync();
        var before = ExportStack.ReadWithDuckDb(await _stack.CopyAsync());
        var datesOfErased = before.Where(r => r.CallId == "athos_call_exp01").Select(r => r.Date).Distinct().Count();

        var configuration = CliServices.Configuration(new Dictionary<string, string?>(StackSettings.For(null, storage.Azurite)));
        var forgot = await ForgetCommand.RunAsync(configuration, new StringWriter(), new StringWriter(), "athos_call_exp01", OutputFormat.Json, allowRestore: false, TestContext.Current.CancellationToken);

        // forget stamps its erased change by the true clock.
        _stack.CatchUpTo(DateTimeOffset.UtcNow + ExportStack.Ahead);
        var erasing = await _stack.ExportAsync();
        var quiet = await _stack.ExportAsync();

        var after = ExportStack.ReadWithDuckDb(await _stack.CopyAsync());
        Assert.Equal(0, forgot);
        Assert.True(datesOfErased >= 2, "the erased call had rows in more than one file");
        Assert.DoesNotContain(after, r => r.CallId == "athos_call_exp01");
        Assert.Equal(before.Where(r => r.CallId != "athos_call_exp01"), after);
        Assert.Equal((await _stack.FeedAsync()).Where(c => c.Kind != CallChangeKind.Erased).Select(ExportStack.Expected), after);
        Assert.Equal(
            new { ErasedCalls = 1, Rows = 0, RebuildForced = true, QuietForced = false },
            new { erasing.Changes!.ErasedCalls, erasing.Changes.Rows, erasing.RebuildForced, QuietForced = quiet.RebuildForced });
        Assert.InRange(erasing.Changes.Rewritten, 2, int.MaxValue);
    }

    [Fact]
    public async Task Compaction_leaves_one_file_per_date_with_every_row_once()
    {
        await WriteHistoryAsync();
        await _stack.ExportAsync();
        for (var i = 0; i < 3; i++)
        {
            await _stack.WriteAsync(TestCalls.Scored("athos_call_exp02", 2 + i), TimeSpan.FromMinutes(1));
            await _stack.ExportAsync();
        }

        var before = ExportStack.ReadWithDuckDb(await _stack.CopyAsync());
        var parts = await _stack.ChangesFilesAsync();
        var compacted = await _stack.ExportAsync(compact: true);
        var files = await _stack.ChangesFilesAsync();

        Assert.Equal(before, ExportStack.ReadWithDuckDb(await _stack.CopyAsync()));
        Assert.Equal(files.Count, files.Select(f => f[..f.LastIndexOf('/')]).Distinct().Count());
        Assert.Equal(parts.Count - files.Count, compacted.Compaction!.PartsRemoved);
        Assert.All(files, f => Assert.Contains(f, parts));
    }

    [Fact]
    public async Task A_run_while_another_holds_the_lease_is_skipped_and_changes_nothing()
    {
        await WriteHistoryAsync();
        await using (var held = await _stack.App.Get<LeaseLock>().TryAcquireAsync(ExportRun.LockName, TestContext.Current.CancellationToken))
        {
            Assert.NotNull(held);
            var skipped = await _stack.ExportAsync();

            Assert.Equal(ExportSummary.Skipped, skipped.Status);
            Assert.Null(skipped.Changes);
            Assert.Empty(await _stack.ChangesFilesAsync());
        }

        Assert.Equal(ExportSummary.Succeeded, (await _stack.ExportAsync()).Status);
    }

    [Fact]
    public async Task Health_and_status_show_the_export_lag_and_the_current_dataset_s_age_and_a_stale_export_degrades_them()
    {
        var before = await _stack.App.Get<PipelineHealth>().CheckAsync(TestContext.Current.CancellationToken);
        await WriteHistoryAsync();
        await _stack.ExportAsync();
        var builtAt = _stack.AppClock.GetUtcNow().AddHours(-3);
        // The run above built a version: it is made 3 hours old.
        await _stack.Exports.GetBlobClient(ExportPointer.NameOf(CurrentExport.CallsDataset)).UploadAsync(BinaryData.FromString($$"""{"version":"v1","builtAt":"{{builtAt:O}}","path":"calls/current/v=v1/","rows":0,"files":0}"""), overwrite: true, TestContext.Current.CancellationToken);
        var fresh = await _stack.App.Get<PipelineHealth>().CheckAsync(TestContext.Current.CancellationToken);

        var state = new TableClient(storage.ConnectionString, StorageNames.StateTable);
        var row = (await state.GetEntityAsync<TableEntity>(ChangesExportStateRow.Partition, ChangesExportStateRow.Row, cancellationToken: TestContext.Current.CancellationToken)).Value;
        row[nameof(ChangesExportStateRow.ExportedThrough)] = _stack.AppClock.GetUtcNow().AddHours(-2);
        await state.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge, TestContext.Current.CancellationToken);
        var stale = await _stack.App.Get<PipelineHealth>().CheckAsync(TestContext.Current.CancellationToken);

        Assert.Null(before.Export!.ExportedThrough);
        Assert.DoesNotContain(before.Reasons, r => r.Contains("export", StringComparison.Ordinal));
        Assert.Equal(CallChangeFeed.ReadMargin.TotalSeconds, fresh.Export!.LagSeconds);
        Assert.Equal(3 * 15 * 60 + CallChangeFeed.ReadMargin.TotalSeconds, fresh.Export.MaxLagSeconds);
        Assert.Equal(3 * 3600, fresh.Export.CurrentAgeSeconds);
        Assert.DoesNotContain(fresh.Reasons, r => r.Contains("export", StringComparison.Ordinal));
        Assert.Contains(stale.Reasons, r => r.StartsWith("the analytics export is 2.0 h behind the change feed, more than 3 intervals of ATHOS_EXPORT_SCHEDULE", StringComparison.Ordinal));
        Assert.Equal(HealthStatus.Degraded, stale.Status);
        var json = JsonSerializer.SerializeToElement(stale, HealthJsonContext.Default.HealthReport).GetProperty("export");
        Assert.Equal(
            ["exportedThrough", "lagSeconds", "maxLagSeconds", "lastRunAt", "currentBuiltAt", "currentAgeSeconds"],
            json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(builtAt, json.GetProperty("currentBuiltAt").GetDateTimeOffset());
    }

    /// <summary>
    /// Eight changes over three dates: five calls created (one a failure later scored), two rescored; the writer's
    /// clock moves three hours after each.
    /// </summary>
    private async Task WriteHistoryAsync()
    {
        var step = TimeSpan.FromHours(3);
        await _stack.WriteAsync(TestCalls.Scored("athos_call_exp01", 1), step);
        await _stack.WriteAsync(TestCalls.Scored("athos_call_exp02", 1, rep: "rep_b"), step);
        await _stack.WriteAsync(TestCalls.Failure("athos_call_exp03"), step);
        await _stack.WriteAsync(TestCalls.Scored("athos_call_exp01", 2), step);
        await _stack.WriteAsync(TestCalls.Scored("athos_call_exp03", 1), step);
        await _stack.WriteAsync(TestCalls.Scored("athos_call_exp04", 1, rep: "rep_c"), step);
        await _stack.WriteAsync(TestCalls.Scored("athos_call_exp06", 1), step);
        await _stack.WriteAsync(TestCalls.Scored("athos_call_exp02", 2, rep: "rep_b"), step);
    }
}
