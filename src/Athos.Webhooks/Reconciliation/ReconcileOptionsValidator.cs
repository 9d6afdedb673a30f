namespace Athos.Webhooks.Reconciliation;

/// <summary>Checks the reconciler's settings against the rules declared on them (source-generated from the attributes).</summary>
[OptionsValidator]
internal sealed partial class ReconcileOptionsValidator : IValidateOptions<ReconcileOptions>;
