namespace Athos.Webhooks.Enrichment;

/// <summary>Checks the enrichment settings against the rules declared on them (source-generated from the attributes).</summary>
[OptionsValidator]
internal sealed partial class EnrichmentOptionsValidator : IValidateOptions<EnrichmentOptions>;
