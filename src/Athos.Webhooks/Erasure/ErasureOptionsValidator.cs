namespace Athos.Webhooks.Erasure;

/// <summary>Checks the erasure settings against the rules declared on them (source-generated from the attributes).</summary>
[OptionsValidator]
internal sealed partial class ErasureOptionsValidator : IValidateOptions<ErasureOptions>;
