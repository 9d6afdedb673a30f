using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Enrichment;

/// <summary>Start-up checks of the enrichment settings, each message naming the setting to fix.</summary>
internal sealed class EnrichmentOptionsValidator : IValidateOptions<EnrichmentOptions>
{
    private const long MinRecordingBytes = 1024 * 1024;
    private const long MaxRecordingBytes = 4L * 1024 * 1024 * 1024;

    public ValidateOptionsResult Validate(string? name, EnrichmentOptions options) =>
        options.RecordingMaxBytes is < MinRecordingBytes or > MaxRecordingBytes
            ? ValidateOptionsResult.Fail($"{EnrichmentOptions.RecordingMaxBytesSetting} must be a byte count between {MinRecordingBytes} (1 MiB) and {MaxRecordingBytes} (4 GiB), such as {EnrichmentOptions.DefaultRecordingMaxBytes}; got {options.RecordingMaxBytes}.")
            : ValidateOptionsResult.Success;
}
