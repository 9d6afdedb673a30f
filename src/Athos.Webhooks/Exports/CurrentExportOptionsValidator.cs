namespace Athos.Webhooks.Exports;

/// <summary>Checks the rebuild's settings against the rules declared on them (source-generated from the attributes).</summary>
[OptionsValidator]
internal sealed partial class CurrentExportOptionsValidator : IValidateOptions<CurrentExportOptions>;
