namespace Athos.Webhooks.Cli.Output;

/// <summary>
/// The one place the commands write an aligned table: a header, a rule, then the rows, each column as wide as its widest
/// cell, every cell through <see cref="TerminalText.Escape(string?)"/>.
/// </summary>
internal static class TableOutput
{
    /// <param name="output">Where to write.</param>
    /// <param name="columns">The header.</param>
    /// <param name="rows">The cells, one array per row, in the header's order.</param>
    /// <param name="rightAligned">The columns of numbers, aligned right.</param>
    public static void Write(TextWriter output, IReadOnlyList<string> columns, IReadOnlyList<string[]> rows, params int[] rightAligned)
    {
        // Cells hold Athos's and storage's text: escaped before they are measured, so that a line break cannot fake a row
        // nor an escape sequence rewrite the terminal.
        rows = [.. rows.Select(row => row.Select(TerminalText.Escape).ToArray())];
        var widths = columns.Select((column, i) => rows.Select(r => r[i].Length).Append(column.Length).Max()).ToArray();
        output.WriteLine(string.Join("  ", columns.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((c, i) => rightAligned.Contains(i) ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd());
        }
    }
}
