namespace Athos.Webhooks.Roster;

/// <summary>Checks the roster settings against the rules declared on them (source-generated from the attributes).</summary>
[OptionsValidator]
internal sealed partial class RosterOptionsValidator : IValidateOptions<RosterOptions>;
