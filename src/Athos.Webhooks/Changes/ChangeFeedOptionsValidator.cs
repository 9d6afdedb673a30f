namespace Athos.Webhooks.Changes;

/// <summary>Checks the change feed's settings against the rules declared on them (source-generated from the attributes).</summary>
[OptionsValidator]
internal sealed partial class ChangeFeedOptionsValidator : IValidateOptions<ChangeFeedOptions>;
