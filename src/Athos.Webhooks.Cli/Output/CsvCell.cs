namespace Athos.Webhooks.Cli.Output;

/// <summary>One CSV cell that Excel opens as the text it is (RFC 4180 quoting, no formula injection).</summary>
internal static class CsvCell
{
    /// <summary>
    /// A cell starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return gets a leading <c>'</c>,
    /// so that a spreadsheet shows it instead of evaluating it; a cell with a comma, quote or line break is quoted.
    /// </summary>
    public static string Escape(string? cell)
    {
        // Control characters a terminal would act on (ESC first) are escaped; line breaks and tabs are quoted instead.
        var text = TerminalText.EscapeKeepingLayout(cell);
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            text = "'" + text;
        }

        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
