using System.Text.Json;
using System.Text.Json.Serialization;

namespace Athos.Webhooks.Exports;

/// <summary>
/// A dataset's <c>_live.json</c>: the version readers read, written after every file of it, so that a reader that
/// follows it never sees a partial version or two at once (docs/consumers.md).
/// </summary>
/// <param name="Version">The version's name, e.g. <c>20261207T020013Z</c>: versions sort by it.</param>
/// <param name="BuiltAt">When its rebuild started reading <c>AthosCalls</c> (UTC, written with <c>Z</c>).</param>
/// <param name="Path">Its folder in <c>athos-exports</c>, e.g. <c>calls/current/v=20261207T020013Z/</c>.</param>
/// <param name="Rows">Rows in all its files.</param>
/// <param name="Files">Its Parquet files.</param>
internal sealed record ExportPointer(string Version, DateTime BuiltAt, string Path, long Rows, int Files)
{
    public const string FileName = "_live.json";

    /// <summary>The pointer of <paramref name="dataset"/> (<c>calls/current</c>, <c>scores</c>).</summary>
    public static string NameOf(string dataset) => dataset + "/" + FileName;

    /// <summary>When the version was built, as an instant.</summary>
    [JsonIgnore]
    public DateTimeOffset BuiltAtUtc => new(DateTime.SpecifyKind(BuiltAt, DateTimeKind.Utc));

    public BinaryData ToJson() => BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(this, ExportsJsonContext.Default.ExportPointer));

    public static ExportPointer? FromJson(BinaryData json) => json.ToObjectFromJson(ExportsJsonContext.Default.ExportPointer);

    /// <summary>The pointer in <paramref name="json"/>, or null when there is none or it is not one (a reader's view: it judges nothing from it).</summary>
    public static ExportPointer? Parse(BinaryData? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return FromJson(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ExportPointer))]
internal sealed partial class ExportsJsonContext : JsonSerializerContext;
