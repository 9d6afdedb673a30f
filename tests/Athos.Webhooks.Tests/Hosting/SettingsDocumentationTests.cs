using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Cli.Runner;
using Athos.Webhooks.Functions;
using Athos.Webhooks.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Athos.Webhooks.Tests.Hosting;

/// <summary>
/// docs/settings.md is the settings reference: every setting the code declares (a <c>…Setting</c> constant) and every
/// key an options class binds (its <see cref="ConfigurationKeyNameAttribute"/>) is there, with the default the options
/// class starts with and the range its <see cref="SettingRangeAttribute"/> enforces, and it names nothing else.
/// </summary>
public sealed partial class SettingsDocumentationTests
{
    private static readonly Lazy<string> Reference = new(() => File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "settings.md")));

    /// <summary>The product's assemblies, and any of its own they reference (a setting may live in either).</summary>
    private static readonly Lazy<IReadOnlyList<Type>> ProductTypes = new(() =>
    {
        Assembly[] hosts = [typeof(AthosApiOptions).Assembly, typeof(RunnerOptions).Assembly, typeof(RescanFunction).Assembly];
        return [.. hosts
            .Concat(hosts.SelectMany(a => a.GetReferencedAssemblies()).Where(n => n.Name!.StartsWith("Athos.Webhooks", StringComparison.Ordinal)).Select(Assembly.Load))
            .Distinct()
            .SelectMany(a => a.GetTypes())];
    });

    [Fact]
    public void The_app_settings_table_names_every_declared_setting_and_no_other()
    {
        var declared = ProductTypes.Value
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string) && f.Name.EndsWith("Setting", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);
        var documented = Table("## App settings").Keys.ToHashSet(StringComparer.Ordinal);

        // The constants are how a setting is named: every key an options class binds is one of them.
        Assert.Empty(BoundSettings(file: false).Select(s => s.Key).Except(declared).Order());
        Assert.Empty(declared.Except(documented).Order());
        Assert.Empty(documented.Except(declared).Order());
    }

    [Fact]
    public void Every_bound_app_setting_is_documented_with_its_default_and_range() =>
        AssertDocumented(Table("## App settings"), BoundSettings(file: false));

    [Fact]
    public void The_host_json_table_is_every_key_the_queue_settings_bind_with_its_default_and_range()
    {
        var table = Table("## host.json");
        var bound = BoundSettings(file: true);

        Assert.Equal(bound.Select(s => s.Key).Order(), table.Keys.Order());
        AssertDocumented(table, bound);
    }

    private static void AssertDocumented(IReadOnlyDictionary<string, Row> table, IReadOnlyList<BoundSetting> bound)
    {
        Assert.NotEmpty(bound);
        foreach (var setting in bound)
        {
            Assert.True(table.TryGetValue(setting.Key, out var row), $"docs/settings.md documents {setting.Key}");
            var instance = Activator.CreateInstance(setting.Options, nonPublic: true)!;
            var value = setting.Property.GetValue(instance);
            Assert.True(Formatted(value) is { } shown ? row.Default == $"`{shown}`" : row.Default == "—", $"{setting.Key}'s default is {Formatted(value) ?? "none"}; documented {row.Default}");
            if (setting.Property.GetCustomAttribute<RequiredSettingAttribute>() is not null)
            {
                Assert.Contains("yes", row.Required, StringComparison.Ordinal);
            }

            AssertRange(setting, instance, row.Allowed);
        }
    }

    /// <summary>
    /// A documented range is probed with the setting's own rule (its <see cref="SettingRangeAttribute"/>, else the
    /// options class's own validator): accepted at its bounds, refused just beyond.
    /// </summary>
    private static void AssertRange(BoundSetting setting, object instance, string allowed)
    {
        var accepts = RuleOf(setting, instance);
        var between = Between().Match(allowed);
        var atLeast = AtLeast().Match(allowed);
        var above = MoreThan().Match(allowed);
        var byAttribute = setting.Property.GetCustomAttribute<SettingRangeAttribute>() is not null;
        if (accepts is null || (!byAttribute && !(between.Success || atLeast.Success || above.Success)))
        {
            Assert.False(between.Success || atLeast.Success || above.Success, $"{setting.Key} is documented with a range ({allowed}) that no [SettingRange] or validator declares");
            return;
        }

        var type = setting.Property.PropertyType;
        bool Accepts(object value) => accepts(value);
        var because = $"{setting.Key}: documented as {allowed}";
        if (between.Success)
        {
            var (min, max) = (Parse(type, between.Groups["min"].Value), Parse(type, between.Groups["max"].Value));
            Assert.True(Accepts(min) && Accepts(max) && !Accepts(Step(min, -1)) && !Accepts(Step(max, 1)), because);
        }
        else if (atLeast.Success)
        {
            var min = Parse(type, atLeast.Groups["min"].Value);
            Assert.True(Accepts(min) && !Accepts(Step(min, -1)) && Accepts(Largest(type)), because);
        }
        else
        {
            Assert.True(above.Success, $"{setting.Key} has a [SettingRange]: document it as `min` to `max`, at least `min` or more than `bound`; got {allowed}");
            var bound = Parse(type, above.Groups["bound"].Value);
            Assert.True(!Accepts(bound) && Accepts(Step(bound, 1)) && Accepts(Largest(type)), because);
        }
    }

    /// <summary>
    /// The rule a value of the setting meets: its <see cref="SettingRangeAttribute"/>, or, for a class validated by hand
    /// (the runner's own settings), its <see cref="IValidateOptions{TOptions}"/> run on a copy holding the value.
    /// </summary>
    private static Func<object, bool>? RuleOf(BoundSetting setting, object instance)
    {
        if (setting.Property.GetCustomAttribute<SettingRangeAttribute>() is { } range)
        {
            return value => range.GetValidationResult(value, new ValidationContext(instance) { MemberName = setting.Property.Name }) == ValidationResult.Success;
        }

        var contract = typeof(IValidateOptions<>).MakeGenericType(setting.Options);
        // Written by hand: not the attributes' generated validator, which the branch above stands for.
        var validators = setting.Options.Assembly.GetTypes()
            .Where(t => !t.IsAbstract && contract.IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .Where(t => !t.GetCustomAttributes().Any(a => a.GetType().Name == "OptionsValidatorAttribute"))
            .Select(Activator.CreateInstance)
            .ToList();
        if (validators.Count == 0)
        {
            return null;
        }

        var validate = contract.GetMethod(nameof(IValidateOptions<object>.Validate))!;
        return value =>
        {
            var copy = Activator.CreateInstance(setting.Options, nonPublic: true)!;
            setting.Property.SetValue(copy, value);
            return validators.All(v => ((ValidateOptionsResult)validate.Invoke(v, [null, copy])!).Succeeded);
        };
    }

    /// <summary>Every property an options class binds by name: app settings, or the keys of a file's block (<see cref="SettingsFileAttribute"/>).</summary>
    private static List<BoundSetting> BoundSettings(bool file) =>
    [
        .. ProductTypes.Value
            .Where(t => t.IsClass && (t.GetCustomAttribute<SettingsFileAttribute>() is not null) == file)
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>() is not null)
                .Select(p => new BoundSetting(p.GetCustomAttribute<ConfigurationKeyNameAttribute>()!.Name, t, p))),
    ];

    private static string? Formatted(object? value) => value switch
    {
        null or "" => null,
        TimeSpan duration => duration.ToString("c", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static object Parse(Type type, string text) =>
        type == typeof(TimeSpan) ? TimeSpan.Parse(text, CultureInfo.InvariantCulture) : Convert.ChangeType(text, type, CultureInfo.InvariantCulture);

    private static object Step(object value, int by) => value switch
    {
        TimeSpan duration => duration + TimeSpan.FromTicks(by),
        int number => number + by,
        long number => number + by,
        _ => throw new InvalidOperationException($"No step for a {value.GetType()} setting."),
    };

    private static object Largest(Type type) => type.GetField("MaxValue", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    /// <summary>The rows of the table under <paramref name="heading"/>, by setting name.</summary>
    private static Dictionary<string, Row> Table(string heading)
    {
        var text = Reference.Value;
        var start = text.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/settings.md has a section {heading}");
        var end = text.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        var rows = (end < 0 ? text[start..] : text[start..end]).Split('\n')
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .Select(line => line.Trim().Trim('|').Split(" | ", StringSplitOptions.TrimEntries))
            .Select(cells => new Row(cells[0].Trim('`'), cells[1], cells[2], cells[3]))
            .ToList();
        Assert.Equal(rows.Count, rows.Select(r => r.Setting).Distinct(StringComparer.Ordinal).Count());
        return rows.ToDictionary(r => r.Setting, StringComparer.Ordinal);
    }

    [GeneratedRegex("^`(?<min>[^`]+)` to `(?<max>[^`]+)`$")]
    private static partial Regex Between();

    [GeneratedRegex("^at least `(?<min>[^`]+)`$")]
    private static partial Regex AtLeast();

    [GeneratedRegex("^more than `(?<bound>[^`]+)`$")]
    private static partial Regex MoreThan();

    private sealed record BoundSetting(string Key, Type Options, PropertyInfo Property);

    private sealed record Row(string Setting, string Required, string Default, string Allowed);
}
