namespace Athos.Webhooks.Settings;

/// <summary>A setting with one acceptable value (compared ignoring case), declared so that any other is refused, saying why.</summary>
internal sealed class SettingValueAttribute(string expected, string why) : SettingValidationAttribute
{
    public string Expected { get; } = expected;

    public string Why { get; } = why;

    protected override string? Check(object? value, string setting) =>
        string.Equals(value as string, Expected, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"{setting} is '{value}'; {Why}, so it must be '{Expected}'.";
}
