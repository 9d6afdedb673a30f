using System.Globalization;
using System.Text;

namespace Athos.Webhooks.Cli.Output;

/// <summary>
/// Text from Athos or from storage (summaries, rep ids, error messages) made safe to print to a terminal: control
/// characters (C0, DEL, C1: ESC starts the sequences that move the cursor, rewrite the screen or the title, or make
/// links) and the bidirectional overrides that reorder what is shown are written as visible escapes (<c>\x1B</c>,
/// <c>\u202E</c>). JSON output is never passed through here: it stays exact.
/// </summary>
internal static class TerminalText
{
    /// <summary>Escapes every control character: for a table cell or a line of text, where a line break would fake a row.</summary>
    public static string Escape(string? text) => Escape(text, keepLayout: false);

    /// <summary>Escapes control characters but tab, carriage return and line feed: for a CSV cell, which quotes those.</summary>
    public static string EscapeKeepingLayout(string? text) => Escape(text, keepLayout: true);

    private static string Escape(string? text, bool keepLayout)
    {
        if (string.IsNullOrEmpty(text) || !text.Any(c => IsUnsafe(c, keepLayout)))
        {
            return text ?? string.Empty;
        }

        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (!IsUnsafe(c, keepLayout))
            {
                escaped.Append(c);
            }
            else if (c <= '\u00FF')
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
            }
            else
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
        }

        return escaped.ToString();
    }

    private static bool IsUnsafe(char c, bool keepLayout) =>
        (char.IsControl(c) && !(keepLayout && c is '\t' or '\r' or '\n'))
        || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F' or '\u061C';
}
