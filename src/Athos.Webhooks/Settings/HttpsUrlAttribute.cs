namespace Athos.Webhooks.Settings;

/// <summary>
/// A URL setting that must be absolute https: the API key travels with every request to it. Plain http is accepted
/// only for a loopback host (the simulator in the demo and the tests), where nothing leaves the machine.
/// </summary>
internal sealed class HttpsUrlAttribute(string example) : SettingValidationAttribute
{
    public string Example { get; } = example;

    protected override string? Check(object? value, string setting) => value switch
    {
        Uri { IsAbsoluteUri: true, Scheme: "https" } => null,
        Uri { IsAbsoluteUri: true, Scheme: "http", IsLoopback: true } => null,
        Uri { IsAbsoluteUri: true, Scheme: "http" } => $"{setting} must be an https URL such as {Example}: over http the API key would travel in clear. Plain http is accepted only for a loopback address (127.0.0.1, ::1, localhost); got '{value}'.",
        _ => $"{setting} must be an absolute https URL such as {Example}; got '{value}'.",
    };
}
