using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Cli.Runner;

/// <summary>Checks the runner's settings against the rules declared on them (source-generated from the attributes).</summary>
[OptionsValidator]
internal sealed partial class RunnerOptionsValidator : IValidateOptions<RunnerOptions>;
