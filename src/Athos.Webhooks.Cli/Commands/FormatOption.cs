using System.CommandLine;
using Athos.Webhooks.Cli.Output;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>
/// The one <c>--format</c> option of the commands that print data, offering only the formats that make sense for the
/// command's data, with the older <c>--json</c> and <c>--csv</c> flags kept as aliases where a command had them. A value
/// is read in any case (<c>JSON</c> is <c>json</c>); one it does not offer, or two choices at once, is a usage error
/// naming the option (exit 2, <see cref="CliApp"/>).
/// </summary>
internal sealed class FormatOption
{
    private readonly Option<string?> _format;
    private readonly (Option<bool> Flag, OutputFormat Format)[] _aliases;

    private FormatOption(Option<string?> format, (Option<bool>, OutputFormat)[] aliases)
    {
        _format = format;
        _aliases = aliases;
    }

    /// <summary>Adds <c>--format</c> (and the flags in <paramref name="aliases"/>) to <paramref name="command"/>.</summary>
    public static FormatOption AddTo(Command command, IReadOnlyList<OutputFormat> formats, params OutputFormat[] aliases)
    {
        var format = new Option<string?>("--format") { Description = $"How to print: {Describe(formats)}. Data goes to standard output, messages to standard error." };
        format.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string?>();
            if (Parse(text, formats) is null)
            {
                result.AddError($"--format must be {string.Join(", ", formats.SkipLast(1).Select(Name))} or {Name(formats[^1])}; got '{text}'.");
            }
        });
        command.Options.Add(format);

        var flags = aliases.Select(a => (new Option<bool>("--" + Name(a)) { Description = $"The same as --format {Name(a)} (kept for older scripts)." }, a)).ToArray();
        foreach (var (flag, _) in flags)
        {
            command.Options.Add(flag);
        }

        Option[] choices = [format, .. flags.Select(f => f.Item1)];
        command.Validators.Add(result =>
        {
            var given = choices.Where(o => result.GetResult(o) is not null).Select(o => o.Name).ToList();
            if (given.Count > 1)
            {
                result.AddError($"{string.Join(" and ", given)} each choose the output format: give one.");
            }
        });
        return new FormatOption(format, flags);
    }

    /// <summary>The format chosen on the command line; <see cref="OutputFormat.Table"/> when none is.</summary>
    public OutputFormat GetValue(ParseResult parse)
    {
        foreach (var (flag, format) in _aliases)
        {
            if (parse.GetValue(flag))
            {
                return format;
            }
        }

        return parse.GetValue(_format) is { } text ? Enum.Parse<OutputFormat>(text, ignoreCase: true) : OutputFormat.Table;
    }

    private static OutputFormat? Parse(string? text, IReadOnlyList<OutputFormat> formats) =>
        formats.Select(f => (OutputFormat?)f).FirstOrDefault(f => string.Equals(Name(f!.Value), text, StringComparison.OrdinalIgnoreCase));

    private static string Name(OutputFormat format) => format.ToString().ToLowerInvariant();

    private static string Describe(IReadOnlyList<OutputFormat> formats)
    {
        var described = formats.Select(f => f switch
        {
            OutputFormat.Table => "table (the default, for people)",
            OutputFormat.Jsonl => "jsonl (one JSON object per line)",
            OutputFormat.Csv => "csv (for Excel)",
            _ => Name(f),
        }).ToList();
        return described.Count == 1 ? described[0] : $"{string.Join(", ", described.SkipLast(1))} or {described[^1]}";
    }
}
