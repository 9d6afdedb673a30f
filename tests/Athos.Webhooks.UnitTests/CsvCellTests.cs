using Athos.Webhooks.Cli.Output;

namespace Athos.Webhooks.UnitTests;

/// <summary>Every CSV cell the commands write: shown by a spreadsheet as the text it is, never evaluated.</summary>
public sealed class CsvCellTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData(null, "")]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+rep", "'+rep")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("=HYPERLINK(\"u\",\"x\")", "\"'=HYPERLINK(\"\"u\"\",\"\"x\"\")\"")]
    [InlineData("1-2", "1-2")]
    public void A_cell_is_quoted_per_RFC_4180_and_a_formula_start_is_defused(string? cell, string expected) =>
        Assert.Equal(expected, CsvCell.Escape(cell));

    [Fact]
    public void A_CSV_starts_with_a_byte_order_mark_and_ends_each_line_with_CRLF()
    {
        var output = new StringWriter();

        CsvOutput.WriteHeader(output, ["A", "B"]);
        CsvOutput.WriteRow(output, ["=x", null]);

        Assert.Equal("\uFEFFA,B\r\n'=x,\r\n", output.ToString());
    }
}
