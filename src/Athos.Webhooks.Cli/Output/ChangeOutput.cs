using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Athos.Webhooks.Changes;

namespace Athos.Webhooks.Cli.Output;

/// <summary>How <c>calls changes</c> prints: an aligned table for people, a JSON array, JSON lines, or CSV for Excel.</summary>
internal enum ChangeFormat
{
    Table,
    Json,
    Jsonl,
    Csv,
}

/// <summary>
/// Writes changes page by page: JSON lines and CSV as they come (one change per line), the table and the JSON array
/// once all are read.
/// </summary>
internal sealed class ChangeOutput(TextWriter output, ChangeFormat format)
{
    private static readonly string[] CsvColumns = ["ChangedAt", "Kind", "CallId", "Status", "OverallScore", "ScoredAt", "AthosUpdatedAt", "ExternalUserId", "AgentId", "Checkpoint"];
    private static readonly string[] TableColumns = ["ChangedAt", "Kind", "CallId", "Status", "Score", "Rep"];
    private static readonly ChangeJsonContext Indented = new(new JsonSerializerOptions(ChangeJsonContext.Default.Options) { WriteIndented = true });

    private readonly List<ChangeView> _held = [];
    private bool _started;

    public static bool TryParse(string? text, out ChangeFormat format)
    {
        format = text switch
        {
            null or "table" => ChangeFormat.Table,
            "json" => ChangeFormat.Json,
            "jsonl" => ChangeFormat.Jsonl,
            "csv" => ChangeFormat.Csv,
            _ => (ChangeFormat)(-1),
        };
        return Enum.IsDefined(format);
    }

    public async Task WriteAsync(IReadOnlyList<CallChange> changes)
    {
        if (format == ChangeFormat.Csv && !_started)
        {
            // A byte-order mark and CRLF line ends: what Excel needs to read UTF-8 CSV as such.
            await output.WriteAsync('\uFEFF' + string.Join(',', CsvColumns) + "\r\n");
        }

        _started = true;
        foreach (var change in changes.Select(ChangeView.Of))
        {
            switch (format)
            {
                case ChangeFormat.Jsonl:
                    await output.WriteLineAsync(JsonSerializer.Serialize(change, ChangeJsonContext.Default.ChangeView));
                    break;
                case ChangeFormat.Csv:
                    await output.WriteAsync(string.Join(',', Cells(change).Select(CsvCell.Escape)) + "\r\n");
                    break;
                default:
                    _held.Add(change);
                    break;
            }
        }
    }

    public async Task CompleteAsync()
    {
        await WriteAsync([]);
        if (format == ChangeFormat.Json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(_held, Indented.ListChangeView));
        }
        else if (format == ChangeFormat.Table)
        {
            await WriteTableAsync();
        }
    }

    private async Task WriteTableAsync()
    {
        if (_held.Count == 0)
        {
            await output.WriteLineAsync("No changes after the checkpoint.");
            return;
        }

        var cells = _held.Select(c => new[] { Time(c.ChangedAt, "yyyy-MM-dd HH:mm:ss"), c.Kind, c.CallId, c.Status, c.OverallScore?.ToString("0.#", CultureInfo.InvariantCulture) ?? string.Empty, c.ExternalUserId ?? c.AgentId ?? string.Empty }).ToList();
        var widths = TableColumns.Select((column, i) => Math.Max(column.Length, cells.Max(r => r[i].Length))).ToArray();
        await output.WriteLineAsync(string.Join("  ", TableColumns.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        await output.WriteLineAsync(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in cells)
        {
            await output.WriteLineAsync(string.Join("  ", row.Select((c, i) => i == 4 ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd());
        }

        await output.WriteLineAsync($"{_held.Count} change(s).");
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

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ChangeView))]
[JsonSerializable(typeof(List<ChangeView>))]
internal sealed partial class ChangeJsonContext : JsonSerializerContext;
