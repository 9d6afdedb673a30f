using System.Globalization;

namespace Athos.Webhooks.Cli.Output;

/// <summary>Writes call rows in the chosen format.</summary>
internal static class CallOutput
{
    private static readonly string[] Columns = ["EndedAt", "CallId", "Status", "Rep", "Agency", "Drill", "Score", "Summary"];

    public static void Write(TextWriter output, IReadOnlyList<CallRow> rows, OutputFormat format, RepNames names)
    {
        switch (format)
        {
            case OutputFormat.Json:
                JsonOutput.WriteDocument(output, rows.Select(r => CallView.Of(r, names)).ToList(), CallJsonContext.Default.ListCallView);
                break;
            case OutputFormat.Jsonl:
                foreach (var row in rows)
                {
                    JsonOutput.WriteLine(output, CallView.Of(row, names), CallJsonContext.Default.CallView);
                }

                break;
            case OutputFormat.Csv:
                CsvOutput.WriteHeader(output, Columns);
                foreach (var row in rows)
                {
                    CsvOutput.WriteRow(output, Cells(row, names));
                }

                break;
            default:
                WriteTable(output, rows, names);
                break;
        }
    }

    private static void WriteTable(TextWriter output, IReadOnlyList<CallRow> rows, RepNames names)
    {
        if (rows.Count == 0)
        {
            output.WriteLine("No calls found.");
            return;
        }

        TableOutput.Write(output, Columns, [.. rows.Select(r => Cells(r, names).Select((c, i) => i == 7 ? Shorten(c, 60) : c).ToArray())], rightAligned: 6);
        output.WriteLine($"{rows.Count} call(s).");
    }

    /// <summary>
    /// One call: its <see cref="CallView"/> as JSON, or as a table a line per column, name then value, both read from
    /// the one source-generated description of <see cref="CallView"/>, so that a column added there shows in every format.
    /// </summary>
    public static void WriteOne(TextWriter output, CallRow row, OutputFormat format, RepNames names)
    {
        var view = CallView.Of(row, names);
        var type = CallJsonContext.Default.CallView;
        if (format == OutputFormat.Json)
        {
            JsonOutput.WriteDocument(output, view, type);
            return;
        }

        var columns = type.Properties.Select(p => (Name: char.ToUpperInvariant(p.Name[0]) + p.Name[1..], Value: p.Get!(view))).ToList();
        var width = columns.Max(c => c.Name.Length) + 1;
        foreach (var (name, value) in columns)
        {
            output.WriteLine($"{name.PadRight(width)}{TerminalText.Escape(Text(value))}");
        }
    }

    private static string? Text(object? value) => value switch
    {
        DateTimeOffset time => time.ToString("o", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString(),
    };

    // A known name goes before the id it names: "Ada Lopez (rep_1001)"; an unknown one leaves the id alone.
    private static string[] Cells(CallRow row, RepNames names) =>
    [
        (row.EndedAt ?? row.FailedAt)?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? string.Empty,
        row.CallId,
        row.Status,
        Named(names.RepOf(row), row.ExternalUserId ?? row.AgentId),
        Named(names.AgencyOf(row), row.ExternalAgencyId),
        row.DrillKey ?? string.Empty,
        row.OverallScore?.ToString("0.#", CultureInfo.InvariantCulture) ?? string.Empty,
        row.Summary ?? row.FailureMessage ?? string.Empty,
    ];

    private static string Named(string? name, string? id) => name is null ? id ?? string.Empty : id is null ? name : $"{name} ({id})";

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}

/// <summary>A call as <c>--json</c> prints it: the documented columns of docs/schema.md.</summary>
internal sealed record CallView(
    string CallId,
    string Status,
    string? Source,
    string? ExternalUserId,
    string? ExternalAgencyId,
    string? AgentId,
    string? AgencyId,
    string? DrillKey,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    int? DurationSec,
    DateTimeOffset? ScoredAt,
    double? OverallScore,
    string? Summary,
    string? Feedback,
    double? ComplianceTotalScore,
    string? FailureReason,
    string? FailureMessage,
    DateTimeOffset? FailedAt,
    DateTimeOffset? AthosUpdatedAt,
    DateTimeOffset? EnrichedAt,
    string? RecordingStatus,
    string? RecordingError,
    string? Truncated,
    int SchemaVersion,
    string? RepName = null,
    string? AgencyName = null)
{
    /// <summary>The row's columns, and the names the roster mirror and the imported agency names give (absent when unknown).</summary>
    public static CallView Of(CallRow row, RepNames names) => new(
        row.CallId, row.Status, row.Source, row.ExternalUserId, row.ExternalAgencyId, row.AgentId, row.AgencyId, row.DrillKey, row.StartedAt, row.EndedAt,
        row.DurationSec, row.ScoredAt, row.OverallScore, row.Summary, row.Feedback, row.ComplianceTotalScore, row.FailureReason, row.FailureMessage, row.FailedAt,
        row.AthosUpdatedAt, row.EnrichedAt, row.RecordingStatus, row.RecordingError, row.Truncated, row.SchemaVersion, names.RepOf(row), names.AgencyOf(row));
}
