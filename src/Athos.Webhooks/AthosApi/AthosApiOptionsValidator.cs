namespace Athos.Webhooks.AthosApi;

/// <summary>Checks each Athos setting against the rule declared on it (source-generated from the attributes).</summary>
[OptionsValidator]
internal sealed partial class AthosApiOptionsValidator : IValidateOptions<AthosApiOptions>;
