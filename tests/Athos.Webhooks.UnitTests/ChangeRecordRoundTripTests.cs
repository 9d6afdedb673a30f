using Athos.Webhooks.Exports;
using Parquet;
using Parquet.Serialization;

namespace Athos.Webhooks.UnitTests;

/// <summary>
/// A changes file is written through <see cref="ExportColumns.Changes"/> and read back (by an erasure's rewrite, by
/// compaction) through <see cref="ChangeRecord"/>'s attributes: two declarations of one schema. A file written by the
/// one reads back through the other, value for value, with the same fields.
/// </summary>
public sealed class ChangeRecordRoundTripTests
{
    [Fact]
    public async Task A_changes_file_written_by_the_export_columns_reads_back_through_ChangeRecord_value_for_value()
    {
        var ct = TestContext.Current.CancellationToken;
        ChangeRecord[] written =
        [
            new() { CallId = "athos_call_a", ChangeKind = "scored", ChangedAt = new DateTime(2026, 12, 7, 10, 1, 2, 345, DateTimeKind.Utc).AddTicks(6780), Status = "scored", OverallScore = 87.25, ScoredAt = new DateTime(2026, 12, 7, 9, 0, 0, DateTimeKind.Utc), AthosUpdatedAt = new DateTime(2026, 12, 7, 9, 30, 0, 1, DateTimeKind.Utc), ExternalUserId = "user é", AgentId = "agent_1", Checkpoint = "0639008244623456780_athos_call_a" },
            new() { CallId = "athos_call_b", ChangeKind = "failed", ChangedAt = new DateTime(2026, 12, 7, 23, 59, 59, DateTimeKind.Utc), Status = "failed", Checkpoint = "0639008675990000000_athos_call_b" },
        ];
        using var file = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(ExportColumns.Changes.Schema, file, cancellationToken: ct))
        {
            await ExportColumns.Changes.WriteRowGroupAsync(writer, written, ct);
        }

        file.Position = 0;
        var read = await ParquetSerializer.DeserializeAsync<ChangeRecord>(file, cancellationToken: ct);

        Assert.Equal(typeof(ChangeRecord).GetProperties().Select(p => p.Name), read.Schema.DataFields.Select(f => f.Name));
        Assert.Equal(written.Select(Values), read.Data.Select(Values));
    }

    private static string Values(ChangeRecord record) => string.Join("|", typeof(ChangeRecord).GetProperties().Select(p => p.GetValue(record) switch
    {
        DateTime time => time.Kind + " " + time.Ticks,
        var value => value?.ToString() ?? "null",
    }));
}
