namespace Athos.Webhooks.Hosting;

/// <summary>Checks the telemetry settings against the rules declared on them (source-generated from the attributes).</summary>
[OptionsValidator]
internal sealed partial class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>;
