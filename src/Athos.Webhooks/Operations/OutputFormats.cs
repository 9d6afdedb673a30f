namespace Athos.Webhooks.Operations;

/// <summary>Which <see cref="OutputFormat"/>s a report takes.</summary>
internal static class OutputFormats
{
    /// <summary>The exit code of a command stopped by Ctrl-C (128 + SIGINT, as a shell reports it).</summary>
    public const int Stopped = 130;

    /// <summary>A report is a table or one JSON document; only the call lists and the change feed stream (JSON lines, CSV).</summary>
    public static void TableOrJson(OutputFormat format)
    {
        if (format is not (OutputFormat.Table or OutputFormat.Json))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "This command prints a table or one JSON document.");
        }
    }
}
