using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Settings;

namespace Athos.Webhooks.Reconciliation;

/// <summary>A comma-separated list of Athos call sources, each known and listed once.</summary>
internal sealed class CallSourceListAttribute : SettingValidationAttribute
{
    protected override string? Check(object? value, string setting)
    {
        var sources = ReconcileOptions.SplitSources(value as string).ToList();
        return sources.Count == 0 || sources.Any(s => !CallSources.IsKnown(s)) || sources.Distinct(StringComparer.Ordinal).Count() != sources.Count
            ? $"{setting} must list Athos call sources, comma-separated, each once: {string.Join(", ", CallSources.All)} (default '{string.Join(',', CallSources.All)}'); got '{value}'."
            : null;
    }
}
