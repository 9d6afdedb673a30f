using System.Text.Json;

namespace Athos.Webhooks.Cli.Output;

/// <summary>Reads a handler's report (a JSON document with docs/operations.md's camelCase names, absent values left out).</summary>
internal static class JsonReport
{
    public static string String(this JsonElement report, string name) => report.GetProperty(name).GetString()!;

    public static string? OptionalString(this JsonElement report, string name) =>
        report.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static int Int(this JsonElement report, string name) => report.GetProperty(name).GetInt32();

    public static double? OptionalDouble(this JsonElement report, string name) =>
        report.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    /// <summary>A section of the report; <see langword="null"/> when it is absent (it could not be read).</summary>
    public static JsonElement? Section(this JsonElement report, string name) =>
        report.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static bool Bool(this JsonElement report, string name) => report.GetProperty(name).GetBoolean();

    public static DateTimeOffset Time(this JsonElement report, string name) => report.GetProperty(name).GetDateTimeOffset();

    public static DateTimeOffset? OptionalTime(this JsonElement report, string name) =>
        report.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetDateTimeOffset() : null;

    public static IReadOnlyList<string> Strings(this JsonElement report, string name) =>
        [.. report.GetProperty(name).EnumerateArray().Select(item => item.GetString()!)];
}
