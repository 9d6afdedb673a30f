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
