using System.Diagnostics.CodeAnalysis;

namespace Athos.Webhooks.AthosApi;

/// <summary>
/// A validated Athos public call id (<c>athos_call_</c> followed by URL-safe characters).
/// </summary>
/// <remarks>
/// Ids come from webhooks, list rows, queue messages and the command line; they end up in URL paths,
/// table keys, OData filters and blob names. Holding them as this type means every one of those has
/// passed <see cref="TryParse(string?, out CallId, out string?)"/> first.
/// </remarks>
public readonly record struct CallId
{
    public const string Prefix = "athos_call_";

    /// <summary>Ids are short in practice (about 32 characters); anything longer is refused.</summary>
    public const int MaxLength = 128;

    private readonly string? _value;

    private CallId(string value) => _value = value;

    public string Value => _value ?? throw new InvalidOperationException("A default CallId has no value.");

    /// <summary>Parses an id, or says in one sentence why it is not a valid Athos call id.</summary>
    public static bool TryParse(string? text, out CallId callId, [NotNullWhen(false)] out string? error)
    {
        callId = default;
        error = Check(text);
        if (error is not null)
        {
            return false;
        }

        callId = new CallId(text!);
        return true;
    }

    public static bool TryParse(string? text, out CallId callId) => TryParse(text, out callId, out _);

    /// <summary>Parses an id or throws <see cref="FormatException"/> saying why it is invalid.</summary>
    public static CallId Parse(string? text) =>
        TryParse(text, out var callId, out var error) ? callId : throw new FormatException(error);

    public override string ToString() => _value ?? string.Empty;

    private static string? Check(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "A call id is required.";
        }

        if (text.Length > MaxLength)
        {
            return $"A call id is at most {MaxLength} characters; this one has {text.Length}.";
        }

        if (!text.StartsWith(Prefix, StringComparison.Ordinal) || text.Length == Prefix.Length)
        {
            return $"A call id starts with '{Prefix}' followed by at least one character.";
        }

        foreach (var c in text.AsSpan(Prefix.Length))
        {
            if (!IsUrlSafe(c))
            {
                return "A call id may contain only letters, digits, '_' and '-' after its prefix.";
            }
        }

        return null;
    }

    // The URL-safe base64 alphabet: what Athos's ids are made of, and safe in a path, a table key and a blob name.
    private static bool IsUrlSafe(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';
}
