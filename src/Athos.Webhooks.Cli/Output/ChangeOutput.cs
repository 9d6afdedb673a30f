using System.Globalization;
using System.Text.Json.Serialization;

namespace Athos.Webhooks.Cli.Output;

/// <summary>
/// Writes changes page by page: JSON lines and CSV as they come (one change per line), the table and the JSON array
/// once all are read.
/// </summary>
internal sealed class ChangeOutput(TextWriter output, OutputFormat format)
{
    private static readonly string[] CsvColumns = ["ChangedAt", "Kind", "CallId", "Status", "OverallScore", "ScoredAt", "AthosUpdatedAt", "ExternalUserId", "AgentId", "Checkpoint"];
    private static readonly string[] TableColumns = ["ChangedAt", "Kind", "CallId", "Status", "Score", "Rep"];

    private readonly List<ChangeView> _held = [];
    private bool _started;

    public void Write(IReadOnlyList<CallChange> changes)
    {
        if (format == OutputFormat.Csv && !_started)
        {
            CsvOutput.WriteHeader(output, CsvColumns);
        }

        _started = true;
        foreach (var change in changes.Select(ChangeView.Of))
        {
            switch (format)
            {
                case OutputFormat.Jsonl:
                    JsonOutput.WriteLine(output, change, ChangeJsonContext.Default.ChangeView);
                    break;
                case OutputFormat.Csv:
                    CsvOutput.WriteRow(output, Cells(change));
                    break;
                default:
                    _held.Add(change);
                    break;
            }
        }
    }

    public void Complete()
    {
        Write([]);
        if (format == OutputFormat.Json)
        {
            JsonOutput.WriteDocument(output, _held, ChangeJsonContext.Default.ListChangeView);
        }
        else if (format == OutputFormat.Table)
        {
            WriteTable();
        }
    }

    private void WriteTable()
    {
        if (_held.Count == 0)
        {
            output.WriteLine("No changes after the checkpoint.");
            return;
        }

        var cells = _held.Select(c => new[] { Time(c.ChangedAt, "yyyy-MM-dd HH:mm:ss"), c.Kind, c.CallId, c.Status, c.OverallScore?.ToString("0.#", CultureInfo.InvariantCulture) ?? string.Empty, c.ExternalUserId ?? c.AgentId ?? string.Empty }).ToList();
        TableOutput.Write(output, TableColumns, cells, rightAligned: 4);
        output.WriteLine($"{_held.Count} change(s).");
    }

    // Dates as Excel reads them (UTC, documented); the JSON formats keep them to the tick.
    private static string[] Cells(ChangeView c) =>
    [
        Time(c.ChangedAt, "yyyy-MM-dd HH:mm:ss.fff"), c.Kind, c.CallId, c.Status, c.OverallScore?.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
        Time(c.ScoredAt, "yyyy-MM-dd HH:mm:ss.fff"), Time(c.AthosUpdatedAt, "yyyy-MM-dd HH:mm:ss.fff"), c.ExternalUserId ?? string.Empty, c.AgentId ?? string.Empty, c.Checkpoint,
    ];

    private static string Time(DateTimeOffset? time, string format) => time?.UtcDateTime.ToString(format, CultureInfo.InvariantCulture) ?? string.Empty;
}

/// <summary>A change as the JSON formats print it.</summary>
internal sealed record ChangeView(
    string Checkpoint,
    DateTimeOffset ChangedAt,
    string Kind,
    string CallId,
    string Status,
    double? OverallScore,
    DateTimeOffset? ScoredAt,
    DateTimeOffset? AthosUpdatedAt,
    string? ExternalUserId,
    string? AgentId)
{
    public static ChangeView Of(CallChange change) => new(
        change.Checkpoint, change.ChangedAt, change.KindName, change.CallId, change.Status, change.OverallScore, change.ScoredAt, change.AthosUpdatedAt, change.ExternalUserId, change.AgentId);
}

/// <summary>
/// The change feed's JSON keeps absent values as <c>null</c> (the other commands' JSON leaves them out,
/// <see cref="CallJsonContext"/>): every change has the same fields, for a consumer's fixed schema (Power Automate's Parse JSON).
/// </summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ChangeView))]
[JsonSerializable(typeof(List<ChangeView>))]
internal sealed partial class ChangeJsonContext : JsonSerializerContext;
