using Microsoft.Extensions.Configuration;

namespace Athos.Webhooks.Enrichment;

/// <summary>What enrichment keeps.</summary>
public sealed class EnrichmentOptions
{
    public const string StoreTranscriptsSetting = "ATHOS_STORE_TRANSCRIPTS";

    /// <summary>Whether the archive blob keeps the transcript (the default) or drops it before writing.</summary>
    [ConfigurationKeyName(StoreTranscriptsSetting)]
    public bool StoreTranscripts { get; set; } = true;
}
