namespace Athos.Webhooks.Exports;

/// <summary>Checks the export's settings against the rules declared on them (source-generated from the attributes).</summary>
[OptionsValidator]
internal sealed partial class ExportOptionsValidator : IValidateOptions<ExportOptions>;
