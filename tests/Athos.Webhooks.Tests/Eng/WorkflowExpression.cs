using System.Globalization;
using System.Text.RegularExpressions;

namespace Athos.Webhooks.Tests.Eng;

/// <summary>
/// Evaluates a GitHub Actions <c>if:</c> expression over a context, as the runner does for the part this repository
/// uses: context paths, string literals, <c>==</c>, <c>!=</c>, <c>!</c>, <c>&amp;&amp;</c>, <c>||</c> and parentheses;
/// strings compare ignoring case, and a path that is not in the context is null.
/// </summary>
internal sealed partial class WorkflowExpression
{
    private readonly List<string> _tokens;
    private readonly IReadOnlyDictionary<string, string?> _context;
    private int _next;

    private WorkflowExpression(string expression, IReadOnlyDictionary<string, string?> context)
    {
        _tokens = [.. Token().Matches(expression).Select(m => m.Value)];
        Assert.Equal(Regex.Replace(expression, @"\s+", string.Empty), string.Concat(_tokens));
        _context = context;
    }

    public static bool Evaluate(string expression, IReadOnlyDictionary<string, string?> context)
    {
        var parser = new WorkflowExpression(expression.Trim() is var text && text.StartsWith("${{", StringComparison.Ordinal) ? text[3..^2] : text, context);
        var value = parser.Or();
        Assert.True(parser._next == parser._tokens.Count, $"the whole expression was read: {expression}");
        return Truthy(value);
    }

    private object? Or()
    {
        var left = And();
        while (Accept("||"))
        {
            var right = And();
            left = Truthy(left) ? left : right;
        }

        return left;
    }

    private object? And()
    {
        var left = Comparison();
        while (Accept("&&"))
        {
            var right = Comparison();
            left = Truthy(left) ? right : left;
        }

        return left;
    }

    private object? Comparison()
    {
        var left = Unary();
        if (Accept("=="))
        {
            return Same(left, Unary());
        }

        if (Accept("!="))
        {
            return !Same(left, Unary());
        }

        return left;
    }

    private object? Unary()
    {
        if (Accept("!"))
        {
            return !Truthy(Unary());
        }

        if (Accept("("))
        {
            var inner = Or();
            Assert.True(Accept(")"), "a closing parenthesis");
            return inner;
        }

        var token = _tokens[_next++];
        if (token.StartsWith('\''))
        {
            return token[1..^1].Replace("''", "'", StringComparison.Ordinal);
        }

        return token switch
        {
            "true" => true,
            "false" => false,
            "null" => null,
            _ => _context.GetValueOrDefault(token),
        };
    }

    private bool Accept(string token)
    {
        if (_next < _tokens.Count && _tokens[_next] == token)
        {
            _next++;
            return true;
        }

        return false;
    }

    private static bool Same(object? left, object? right) =>
        string.Equals(Convert.ToString(left, CultureInfo.InvariantCulture), Convert.ToString(right, CultureInfo.InvariantCulture), StringComparison.OrdinalIgnoreCase)
        && (left is null) == (right is null);

    private static bool Truthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        string s => s.Length > 0,
        _ => true,
    };

    [GeneratedRegex(@"'(?:[^']|'')*'|==|!=|&&|\|\||[!()]|[A-Za-z_][A-Za-z0-9_.\-]*")]
    private static partial Regex Token();
}
