namespace Athos.Webhooks.Webhooks;

/// <summary>Checks the webhook settings against the rules declared on them (the whsec_ prefix among them) (source-generated from the attributes).</summary>
[OptionsValidator]
internal sealed partial class WebhookOptionsValidator : IValidateOptions<WebhookOptions>;
