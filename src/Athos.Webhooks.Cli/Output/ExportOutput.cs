using System.Globalization;
using System.Text.Json;

namespace Athos.Webhooks.Cli.Output;

/// <summary>How <c>export</c> prints its run (and the local copy, when asked): a summary for people, or the run's JSON.</summary>
internal static class ExportOutput
{
    public static void Write(TextWriter output, JsonElement report, JsonElement? copied, OutputFormat format)
    {
        if (format == OutputFormat.Json)
        {
            JsonOutput.WriteDocument(output, copied is { } copy ? WithCopy(report, copy) : report);
            return;
        }

        output.WriteLine($"Export {report.String("status")}");
        if (report.Section("changes") is { } changes)
        {
            output.WriteLine($"Changes          {changes.Int("rows"):N0} row(s) in {changes.Int("files"):N0} file(s), {changes.GetProperty("bytes").GetInt64():N0} bytes; exported through {Time(changes.OptionalTime("exportedThrough"))}");
            if (changes.Int("erasedCalls") > 0)
            {
                output.WriteLine($"Erasure          {changes.Int("erasedCalls"):N0} erased call(s) removed from {changes.Int("rewritten"):N0} earlier file(s)");
            }
        }

        if (report.Section("compaction") is { } compaction)
        {
            output.WriteLine($"Compaction       {compaction.Int("folders"):N0} date folder(s) merged, {compaction.Int("partsRemoved"):N0} part file(s) removed");
        }

        if (report.Section("current") is { } current)
        {
            output.WriteLine($"Rebuilt          version {TerminalText.Escape(current.String("version"))}: {current.GetProperty("calls").GetInt64():N0} call(s) in {current.Int("callFiles"):N0} file(s), {current.GetProperty("scores").GetInt64():N0} score number(s) in {current.Int("scoreFiles"):N0} file(s), {current.Int("agents"):N0} rep(s); {current.Int("removedVersions"):N0} old version(s) removed");
        }

        if (copied is { } local)
        {
            output.WriteLine($"Copied           {local.Int("files"):N0} file(s) ({local.Int("changesFiles"):N0} changes files) to {TerminalText.Escape(local.String("directory"))}");
        }
    }

    private static JsonElement WithCopy(JsonElement report, JsonElement copy)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in report.EnumerateObject())
            {
                property.WriteTo(writer);
            }

            writer.WritePropertyName("copied");
            copy.WriteTo(writer);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    private static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";
}
