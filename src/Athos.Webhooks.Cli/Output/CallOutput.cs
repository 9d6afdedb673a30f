using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Athos.Webhooks.Storage;

namespace Athos.Webhooks.Cli.Output;

/// <summary>How <c>calls</c> prints rows: an aligned table for people, or JSON or CSV for programs.</summary>
internal enum OutputFormat
{
    Table,
    Json,
    Csv,
}

/// <summary>Writes call rows in the chosen format.</summary>
internal static class CallOutput
{
    private static readonly string[] Columns = ["EndedAt", "CallId", "Status", "Rep", "Agency", "Drill", "Score", "Summary"];

    public static void Write(TextWriter output, IReadOnlyList<CallRow> rows, OutputFormat format)
    {
        switch (format)
        {
            case OutputFormat.Json:
                output.WriteLine(JsonSerializer.Serialize(rows.Select(CallView.Of).ToList(), CliJsonContext.Default.ListCallView));
                break;
            case OutputFormat.Csv:
                output.WriteLine(string.Join(',', Columns));
                foreach (var row in rows)
                {
                    output.WriteLine(string.Join(',', Cells(row).Select(CsvCell.Escape)));
                }

                break;
            default:
                WriteTable(output, rows);
                break;
        }
    }

    private static void WriteTable(TextWriter output, IReadOnlyList<CallRow> rows)
    {
        if (rows.Count == 0)
        {
            output.WriteLine("No calls found.");
            return;
        }

        var cells = rows.Select(r => Cells(r).Select((c, i) => i == 7 ? Shorten(c, 60) : c).ToArray()).ToList();
        var widths = Columns.Select((c, i) => Math.Max(c.Length, cells.Max(r => r[i].Length))).ToArray();
        output.WriteLine(string.Join("  ", Columns.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in cells)
        {
            output.WriteLine(string.Join("  ", row.Select((c, i) => i == 6 ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd());
        }

        output.WriteLine($"{rows.Count} call(s).");
    }

    private static string[] Cells(CallRow row) =>
    [
        (row.EndedAt ?? row.FailedAt)?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? string.Empty,
        row.CallId,
        row.Status,
        row.ExternalUserId ?? row.AgentId ?? string.Empty,
        row.ExternalAgencyId ?? string.Empty,
        row.DrillKey ?? string.Empty,
        row.OverallScore?.ToString("0.#", CultureInfo.InvariantCulture) ?? string.Empty,
        row.Summary ?? row.FailureMessage ?? string.Empty,
    ];

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
    int SchemaVersion)
{
    public static CallView Of(CallRow row) => new(
        row.CallId, row.Status, row.Source, row.ExternalUserId, row.ExternalAgencyId, row.AgentId, row.AgencyId, row.DrillKey, row.StartedAt, row.EndedAt,
        row.DurationSec, row.ScoredAt, row.OverallScore, row.Summary, row.Feedback, row.ComplianceTotalScore, row.FailureReason, row.FailureMessage, row.FailedAt,
        row.AthosUpdatedAt, row.EnrichedAt, row.RecordingStatus, row.RecordingError, row.Truncated, row.SchemaVersion);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<CallView>))]
[JsonSerializable(typeof(CallView))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
