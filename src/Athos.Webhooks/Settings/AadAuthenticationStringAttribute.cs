namespace Athos.Webhooks.Settings;

/// <summary>
/// Application Insights' authentication string, when set: <c>Authorization=AAD</c>, with an optional
/// <c>ClientId=…</c>, pairs separated by <c>;</c> in any order and case (the workspace takes no keys).
/// </summary>
internal sealed class AadAuthenticationStringAttribute : SettingValidationAttribute
{
    /// <summary>
    /// Whether <paramref name="text"/> asks for a managed identity; <paramref name="clientId"/> is the user-assigned
    /// identity's client id, or null for the system-assigned one. Unset or blank is not (no identity: the key is used).
    /// </summary>
    /// <returns>false when unset, blank or malformed.</returns>
    public static bool TryParse(string? text, out string? clientId)
    {
        clientId = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parts = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var authorization) || !authorization.Equals("AAD", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        clientId = parts.TryGetValue("ClientId", out var id) && id.Length > 0 ? id : null;
        return true;
    }

    protected override string? Check(object? value, string setting) =>
        value is not string text || string.IsNullOrWhiteSpace(text) || TryParse(text, out _)
            ? null
            : $"{setting} must be 'Authorization=AAD' or 'Authorization=AAD;ClientId=<client id>'.";
}
