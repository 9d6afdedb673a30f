namespace Athos.Webhooks.Settings;

/// <summary>A schedule setting in the Functions timer's CRON dialect (<see cref="TimerSchedule"/>).</summary>
internal sealed class SixFieldCronAttribute(string example) : SettingValidationAttribute
{
    public string Example { get; } = example;

    protected override string? Check(object? value, string setting) =>
        TimerSchedule.TryParse(value as string) is null
            ? $"{setting} must be a six-field CRON expression (second minute hour day month weekday), such as '{Example}'; got '{value}'."
            : null;
}
