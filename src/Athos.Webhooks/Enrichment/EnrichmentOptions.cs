using Athos.Webhooks.Settings;
using Microsoft.Extensions.Configuration;

namespace Athos.Webhooks.Enrichment;

/// <summary>What enrichment keeps: transcripts in the archive, and copies of the recordings.</summary>
internal sealed class EnrichmentOptions
{
    public const string StoreTranscriptsSetting = "ATHOS_STORE_TRANSCRIPTS";
    public const string ArchiveRecordingsSetting = "ATHOS_ARCHIVE_RECORDINGS";
    public const string RecordingMaxBytesSetting = "ATHOS_RECORDING_MAX_BYTES";

    /// <summary>200 MiB: hours of compressed audio, far beyond any real call, and still a bound.</summary>
    public const long DefaultRecordingMaxBytes = 200L * 1024 * 1024;

    /// <summary>Whether the archive blob keeps the transcript (the default) or drops it before writing.</summary>
    [ConfigurationKeyName(StoreTranscriptsSetting)]
    public bool StoreTranscripts { get; set; } = true;

    /// <summary>
    /// Whether each call's recording is copied to <c>athos-recordings</c> (the default): Athos deletes recordings after
    /// 30 days, and real calls' recordings are often kept for compliance.
    /// </summary>
    [ConfigurationKeyName(ArchiveRecordingsSetting)]
    public bool ArchiveRecordings { get; set; } = true;

    /// <summary>A recording larger than this many bytes is not copied (<c>RecordingStatus</c> = <c>failed</c>, reason given).</summary>
    [SettingRange(1024L * 1024, 4L * 1024 * 1024 * 1024, Requirement = "a byte count between 1048576 (1 MiB) and 4294967296 (4 GiB), such as 209715200")]
    [ConfigurationKeyName(RecordingMaxBytesSetting)]
    public long RecordingMaxBytes { get; set; } = DefaultRecordingMaxBytes;
}
