using Athos.Webhooks.Storage;

namespace Athos.Webhooks.UnitTests;

/// <summary>A row always fits Table Storage whatever Athos sends; what was shortened is named, and the blob has it all.</summary>
public sealed class TableLimitsTests
{
    [Theory]
    [InlineData(TableLimits.MaxStringLength, false)]
    [InlineData(TableLimits.MaxStringLength + 1, true)]
    public void Text_up_to_the_limit_is_kept_and_longer_text_is_cut_with_a_marker(int length, bool cut)
    {
        var row = new CallRow { CallId = "athos_call_a", Summary = new string('s', length) };

        TableLimits.Enforce(row);

        Assert.Equal(cut ? TableLimits.MaxStringLength : length, row.Summary!.Length);
        Assert.Equal(cut, row.Summary.EndsWith('…'));
        Assert.Equal(cut ? nameof(CallRow.Summary) : null, row.Truncated);
    }

    [Fact]
    public void A_cut_never_splits_a_surrogate_pair()
    {
        var text = new string('x', TableLimits.MaxStringLength - 2) + "😀😀";
        var row = new CallRow { CallId = "athos_call_a", Feedback = text };

        TableLimits.Enforce(row);

        Assert.False(char.IsHighSurrogate(row.Feedback![^2]), "the character before the marker is not half a pair");
        Assert.EndsWith("…", row.Feedback, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversized_score_object_is_left_to_the_blob_whole_rather_than_cut_into_invalid_JSON()
    {
        var row = new CallRow { CallId = "athos_call_a", ScoreJson = "{\"x\":\"" + new string('x', TableLimits.MaxStringLength) + "\"}", Summary = new string('s', TableLimits.MaxStringLength + 5) };

        TableLimits.Enforce(row);

        Assert.Null(row.ScoreJson);
        Assert.Equal("Summary,ScoreJson", row.Truncated);
    }

    [Fact]
    public void Every_text_column_can_be_cut_and_they_are_named_in_a_fixed_order_that_rows_already_store()
    {
        var text = new string('t', TableLimits.MaxStringLength + 1);
        var row = new CallRow
        {
            CallId = "athos_call_a",
            AthosRequestId = text,
            DrillKey = text,
            ExternalAgencyId = text,
            ExternalUserId = text,
            Source = text,
            FailureReason = text,
            FailureMessage = text,
            Feedback = text,
            Summary = text,
            ScoreJson = "\"" + text + "\"",
        };

        TableLimits.Enforce(row);

        Assert.Equal("Summary,Feedback,FailureMessage,FailureReason,Source,ExternalUserId,ExternalAgencyId,DrillKey,AthosRequestId,ScoreJson", row.Truncated);
        Assert.All([row.Summary, row.Feedback, row.FailureMessage, row.FailureReason, row.Source, row.ExternalUserId, row.ExternalAgencyId, row.DrillKey, row.AthosRequestId], v => Assert.Equal(TableLimits.MaxStringLength, v!.Length));
    }
}
