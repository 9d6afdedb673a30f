using System.Reflection;
using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Tests.Storage;

/// <summary>What "the same index row" means stays in step with what an index row is.</summary>
public sealed class IndexColumnsTests
{
    /// <summary>Columns of <c>AthosCalls</c> only (docs/schema.md), and Table Storage's own properties.</summary>
    private static readonly string[] NotInIndexRows =
        [nameof(CallRow.PartitionKey), nameof(CallRow.RowKey), nameof(CallRow.Timestamp), nameof(CallRow.ETag), nameof(CallRow.ScoreJson), nameof(CallRow.RecordingStatus), nameof(CallRow.RecordingError), nameof(CallRow.ChangeKey), nameof(CallRow.ChangeKind), nameof(CallRow.ErasedAt)];

    [Fact]
    public void Every_column_an_index_row_carries_is_compared()
    {
        var columns = typeof(CallRow).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Except(NotInIndexRows);

        Assert.Equal(columns.Order(), IndexColumns.Names.Order());
    }

    [Fact]
    public void An_index_row_copies_exactly_the_compared_columns()
    {
        var row = new CallRow
        {
            CallId = "athos_call_x",
            Status = CallStatus.Scored,
            ScoredAt = DateTimeOffset.UnixEpoch,
            OverallScore = 71,
            Summary = "s",
            ScoreJson = "{}",
            RecordingStatus = RecordingStatus.Archived,
            Truncated = "Feedback",
        };

        var copy = row.CloneWithKeys("rep", "key", withScoreJson: false);
        copy.Summary = "other";

        Assert.Equal([nameof(CallRow.Summary)], IndexColumns.Differences(row, copy));
        Assert.Null(copy.ScoreJson);
        Assert.Null(copy.RecordingStatus);
    }
}
