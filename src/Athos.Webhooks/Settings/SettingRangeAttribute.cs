using System.Globalization;

namespace Athos.Webhooks.Settings;

/// <summary>A number or duration setting that must lie within bounds (inclusive).</summary>
internal sealed class SettingRangeAttribute : SettingValidationAttribute
{
    private readonly IComparable _minimum;
    private readonly IComparable _maximum;

    public SettingRangeAttribute(int minimum, int maximum) => (_minimum, _maximum) = (minimum, maximum);

    public SettingRangeAttribute(long minimum, long maximum) => (_minimum, _maximum) = (minimum, maximum);

    /// <summary>A duration of at least <paramref name="minimum"/> (<c>[d.]hh:mm:ss[.fffffff]</c>).</summary>
    public SettingRangeAttribute(string minimum)
        : this(minimum, TimeSpan.MaxValue.ToString("c", CultureInfo.InvariantCulture))
    {
    }

    /// <summary>Durations, as <c>[d.]hh:mm:ss[.fffffff]</c>.</summary>
    public SettingRangeAttribute(string minimum, string maximum) =>
        (_minimum, _maximum) = (TimeSpan.Parse(minimum, CultureInfo.InvariantCulture), TimeSpan.Parse(maximum, CultureInfo.InvariantCulture));

    /// <summary>What the message says the value must be, when "between min and max" says too little (units, advice).</summary>
    public string? Requirement { get; init; }

    protected override string? Check(object? value, string setting) =>
        value is IComparable comparable && comparable.CompareTo(_minimum) >= 0 && comparable.CompareTo(_maximum) <= 0
            ? null
            : $"{setting} must be {Requirement ?? $"between {_minimum} and {_maximum}"}; got {value}.";
}
