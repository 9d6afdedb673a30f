using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Athos.Webhooks.Settings;

/// <summary>
/// A rule on one setting, checked at start-up by the options class's source-generated validator. Its message names the
/// setting as the operator writes it (the property's <see cref="ConfigurationKeyNameAttribute"/>, after the file's block
/// for settings read from a file: <see cref="SettingsFileAttribute"/>), not the property, and carries no member-name
/// prefix, so start-up, <c>doctor</c> and the CLI all print it as it is.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
internal abstract class SettingValidationAttribute : ValidationAttribute
{
    /// <summary>Why <paramref name="value"/> is not acceptable for <paramref name="setting"/>, or null if it is.</summary>
    protected abstract string? Check(object? value, string setting);

    protected sealed override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        return Check(value, SettingName(validationContext)) is { } failure ? new ValidationResult(failure) : ValidationResult.Success;
    }

    private static string SettingName(ValidationContext context)
    {
        var member = context.MemberName ?? context.DisplayName;
        var key = context.ObjectType.GetProperty(member)?.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? member;
        return context.ObjectType.GetCustomAttribute<SettingsFileAttribute>() is { } file ? $"{file.Block}.{key}" : key;
    }
}
