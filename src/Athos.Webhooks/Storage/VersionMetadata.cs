using System.Globalization;

namespace Athos.Webhooks.Storage;

/// <summary>
/// The blob metadata that says which version of a call a blob holds (<c>athosscoredat</c>, <c>athosupdatedat</c>),
/// shared by the archive and the recordings.
/// </summary>
internal static class VersionMetadata
{
    private const string ScoredAtKey = "athosscoredat";
    private const string UpdatedAtKey = "athosupdatedat";

    public static Dictionary<string, string> Of(CallVersion version) => new()
    {
        [ScoredAtKey] = Format(version.ScoredAt),
        [UpdatedAtKey] = Format(version.UpdatedAt),
    };

    public static CallVersion Read(IDictionary<string, string> metadata) =>
        CallVersion.Scored(Parse(metadata, ScoredAtKey), Parse(metadata, UpdatedAtKey));

    private static string Format(DateTimeOffset? time) => time?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) ?? string.Empty;

    private static DateTimeOffset? Parse(IDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time : null;
}
