namespace Athos.Webhooks.Cli.Output;

/// <summary>
/// The one place the commands write CSV: a byte-order mark before the header and CRLF line ends (what Excel needs to
/// read UTF-8 CSV as such), every cell through <see cref="CsvCell.Escape"/>.
/// </summary>
internal static class CsvOutput
{
    public static void WriteHeader(TextWriter output, IEnumerable<string> columns) => output.Write('\uFEFF' + Line(columns));

    public static void WriteRow(TextWriter output, IEnumerable<string?> cells) => output.Write(Line(cells));

    private static string Line(IEnumerable<string?> cells) => string.Join(',', cells.Select(CsvCell.Escape)) + "\r\n";
}
