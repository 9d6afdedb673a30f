using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Athos.Webhooks.Cli.Output;

/// <summary>
/// The one place the commands write JSON: a whole document indented for reading, or one object per line (JSON lines)
/// for streaming. The indentation is the writer's, so that one source-generated type serves both.
/// </summary>
internal static class JsonOutput
{
    public static void WriteDocument<T>(TextWriter output, T value, JsonTypeInfo<T> type) => Write(output, value, type, indented: true);

    /// <summary>
    /// A report as a handler returned it (docs/operations.md documents each), indented for reading; with
    /// <paramref name="added"/>, a number the CLI adds to it after one of its properties.
    /// </summary>
    public static void WriteDocument(TextWriter output, JsonElement document, (string After, string Name, int Value)? added = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            WriteIndented(writer, document, added);
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    // A property's value goes out as the handler's serializer wrote it: written again as a string, the + of a time's
    // offset would be escaped (\u002B). An array's items are written again (a raw value would lose its indentation):
    // they are objects or plain strings, whose escaping is the same both ways.
    private static void WriteIndented(Utf8JsonWriter writer, JsonElement element, (string After, string Name, int Value)? added = null)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    {
                        WriteIndented(writer, property.Value);
                    }
                    else
                    {
                        writer.WriteRawValue(property.Value.GetRawText(), skipInputValidation: true);
                    }

                    if (added is { } number && property.NameEquals(number.After))
                    {
                        writer.WriteNumber(number.Name, number.Value);
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteIndented(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    public static void WriteLine<T>(TextWriter output, T value, JsonTypeInfo<T> type) => Write(output, value, type, indented: false);

    private static void Write<T>(TextWriter output, T value, JsonTypeInfo<T> type, bool indented)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            JsonSerializer.Serialize(writer, value, type);
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
