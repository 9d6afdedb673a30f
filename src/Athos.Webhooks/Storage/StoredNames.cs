using System.Text.Json;
using System.Text.Json.Serialization;

namespace Athos.Webhooks.Storage;

/// <summary>
/// The names an in-process enum is stored under, in a table column, a queue message or a JSON body: the one place
/// each enum's stored names are declared, so that renaming a member can never change what is written. Values stored
/// as plain strings that no code switches on as an enum are string constants instead (<c>CallStatus</c>,
/// <c>DeliveryStatus</c>…), since consumers read them as strings over OData.
/// </summary>
/// <remarks>
/// A name is read exactly as written unless a comparer says otherwise; legacy
/// names, written by earlier versions, are read and never written.
/// </remarks>
internal sealed class StoredNames<TEnum>
    where TEnum : struct, Enum
{
    private readonly Dictionary<TEnum, string> _names;
    private readonly Dictionary<string, TEnum> _values;

    public StoredNames(IEnumerable<(TEnum Value, string Name)> names, StringComparer? comparer = null, IEnumerable<(string Name, TEnum Value)>? legacy = null)
    {
        _names = names.ToDictionary(n => n.Value, n => n.Name);
        _values = new Dictionary<string, TEnum>(comparer ?? StringComparer.Ordinal);
        foreach (var (value, name) in _names)
        {
            _values.Add(name, value);
        }

        foreach (var (name, value) in legacy ?? [])
        {
            _values.Add(name, value);
        }

        var unnamed = Enum.GetValues<TEnum>().Except(_names.Keys).ToList();
        if (unnamed.Count > 0)
        {
            throw new InvalidOperationException($"{typeof(TEnum).Name} has no stored name for {string.Join(", ", unnamed)}.");
        }
    }

    /// <summary>The name written for <paramref name="value"/>.</summary>
    public string NameOf(TEnum value) =>
        _names.TryGetValue(value, out var name) ? name : throw new ArgumentOutOfRangeException(nameof(value), value, $"not a {typeof(TEnum).Name}");

    /// <summary>The value a stored name stands for, or null for a name this version does not know.</summary>
    public TEnum? Find(string? name) => name is not null && _values.TryGetValue(name, out var value) ? value : null;

    /// <summary>The value a stored name stands for; a name this version does not know is a <see cref="FormatException"/> that names it.</summary>
    public TEnum Parse(string name) =>
        Find(name) ?? throw new FormatException($"'{name}' is not a stored {typeof(TEnum).Name} (expected {string.Join(", ", _names.Values)}).");
}

/// <summary>Writes and reads an enum in JSON by its <see cref="StoredNames{TEnum}"/>: derive one per enum, named for it.</summary>
internal abstract class StoredNameJsonConverter<TEnum>(StoredNames<TEnum> names) : JsonConverter<TEnum>
    where TEnum : struct, Enum
{
    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && names.Find(reader.GetString()) is { } value
            ? value
            : throw new JsonException($"not a {typeof(TEnum).Name}: expected one of its names as a string");

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) => writer.WriteStringValue(names.NameOf(value));
}
