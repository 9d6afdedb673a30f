namespace Athos.Webhooks.WorkItems;

/// <summary>Checks host.json's queue block against the rules declared on it (source-generated from the attributes).</summary>
[OptionsValidator]
internal sealed partial class QueueOptionsValidator : IValidateOptions<QueueOptions>;
