namespace Athos.Webhooks.Hosting;

/// <summary>A URL setting that must be absolute, over http or https.</summary>
internal sealed class AbsoluteHttpUrlAttribute(string example) : SettingValidationAttribute
{
    public string Example { get; } = example;

    protected override string? Check(object? value, string setting) =>
        value is Uri { IsAbsoluteUri: true, Scheme: "https" or "http" }
            ? null
            : $"{setting} must be an absolute http(s) URL such as {Example}; got '{value}'.";
}
