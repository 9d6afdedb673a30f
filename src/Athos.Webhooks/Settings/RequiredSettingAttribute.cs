namespace Athos.Webhooks.Settings;

/// <summary>
/// A setting every deployment must provide: start-up fails while it is empty. The infrastructure test also reads these
/// to check that infra/ sets each one, so the list lives here, beside the settings, and nowhere else.
/// </summary>
internal sealed class RequiredSettingAttribute : SettingValidationAttribute
{
    /// <summary>What to set it to, ending the message (e.g. <c>set it to the API key Athos issued (ath_live_…).</c>).</summary>
    public string? Hint { get; init; }

    protected override string? Check(object? value, string setting) =>
        string.IsNullOrWhiteSpace(value as string ?? value?.ToString())
            ? Hint is null ? $"{setting} is required." : $"{setting} is required: {Hint}"
            : null;
}
