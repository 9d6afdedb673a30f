using System.CommandLine;
using System.Globalization;
using Athos.Webhooks.AthosApi;
using Athos.Webhooks.Cli.Output;
using Athos.Webhooks.Operations;

namespace Athos.Webhooks.Cli.Commands;

/// <summary><c>calls list</c>, <c>calls show</c> and <c>calls changes</c>: the tables as a consumer reads them.</summary>
internal static class CallsCommand
{
    public static Command Create()
    {
        var rep = new Option<string?>("--rep") { Description = "A rep's id (your own, else Athos's agentId): their latest calls (AthosCallsByUser)." };
        var day = new Option<string?>("--day") { Description = "A UTC day, yyyy-MM-dd: that day's calls (AthosCallsByDay)." };
        var agency = new Option<string?>("--agency") { Description = "An externalAgencyId: its calls between --from and --to." };
        var from = new Option<string?>("--from") { Description = "With --agency: the first UTC day, yyyy-MM-dd." };
        var to = new Option<string?>("--to") { Description = "With --agency: the last UTC day, yyyy-MM-dd (inclusive)." };
        var top = new Option<int>("--top") { Description = "At most this many calls.", DefaultValueFactory = _ => 20 };
        var list = new Command("list", "List stored calls by rep, by day, or by agency and date range, newest first.") { rep, day, agency, from, to, top };
        var listFormat = FormatOption.AddTo(list, [OutputFormat.Table, OutputFormat.Json, OutputFormat.Jsonl, OutputFormat.Csv], OutputFormat.Json, OutputFormat.Csv);
        list.SetAction(async (parse, ct) => await ListAsync(
            CliServices.Configuration(), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error,
            new ListQuery(parse.GetValue(rep), parse.GetValue(day), parse.GetValue(agency), parse.GetValue(from), parse.GetValue(to), parse.GetValue(top)),
            listFormat.GetValue(parse),
            ct));

        var callId = new Argument<string>("callId") { Description = "The call id, athos_call_…" };
        var show = new Command("show", "Show one stored call.") { callId };
        var showFormat = FormatOption.AddTo(show, [OutputFormat.Table, OutputFormat.Json], OutputFormat.Json);
        show.SetAction(async (parse, ct) => await ShowAsync(CliServices.Configuration(), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(callId)!, showFormat.GetValue(parse), ct));

        return new Command("calls", "Read the stored calls (the AthosCalls tables) as a consumer would.") { list, show, CallChangesCommand.Create() };
    }

    public sealed record ListQuery(string? Rep, string? Day, string? Agency, string? From, string? To, int Top);

    public static async Task<int> ListAsync(Microsoft.Extensions.Configuration.IConfiguration configuration, TextWriter output, TextWriter error, ListQuery query, OutputFormat format, CancellationToken cancellationToken)
    {
        var chosen = new[] { query.Rep, query.Day, query.Agency }.Count(v => v is not null);
        if (chosen != 1)
        {
            await error.WriteLineAsync("Give exactly one of --rep, --day or --agency (with --from and --to).");
            return ExitCodes.Usage;
        }

        if (query.Top is < 1 or > 10_000)
        {
            await error.WriteLineAsync($"--top must be between 1 and 10000; got {query.Top}.");
            return ExitCodes.Usage;
        }

        DateOnly dayValue = default, fromValue = default, toValue = default;
        if ((query.Day is not null && !TryDay(query.Day, "--day", out dayValue, out var problem))
            || (query.Agency is not null && (!TryDay(query.From, "--from", out fromValue, out problem) || !TryDay(query.To, "--to", out toValue, out problem))))
        {
            await error.WriteLineAsync(problem);
            return ExitCodes.Usage;
        }

        if (query.Agency is not null && fromValue > toValue)
        {
            await error.WriteLineAsync($"--from ({query.From}) must not be after --to ({query.To}).");
            return ExitCodes.Usage;
        }

        return await CliServices.RunAsync<CallReader, IRosterHandler>(configuration, error, async (reader, roster) =>
        {
            var rows = await (query switch
            {
                { Rep: { } r } => reader.ByRepAsync(r, query.Top, cancellationToken),
                { Day: not null } => reader.ByDayAsync(dayValue, query.Top, cancellationToken),
                _ => reader.ByAgencyAsync(query.Agency!, fromValue, toValue, query.Top, cancellationToken),
            });
            CallOutput.Write(output, rows, format, await RepNames.OfAsync(roster, rows, cancellationToken));
            return ExitCodes.Ok;
        });
    }

    public static async Task<int> ShowAsync(Microsoft.Extensions.Configuration.IConfiguration configuration, TextWriter output, TextWriter error, string callId, OutputFormat format, CancellationToken cancellationToken)
    {
        if (!CallId.TryParse(callId, out var id, out var problem))
        {
            await error.WriteLineAsync($"callId: {problem}");
            return ExitCodes.Usage;
        }

        return await CliServices.RunAsync<CallReader, IRosterHandler>(configuration, error, async (reader, roster) =>
        {
            var row = await reader.GetAsync(id.Value, cancellationToken);
            if (row is null)
            {
                await error.WriteLineAsync($"No stored call {id}.");
                return ExitCodes.Failed;
            }

            CallOutput.WriteOne(output, row, format, await RepNames.OfAsync(roster, [row], cancellationToken));
            return ExitCodes.Ok;
        });
    }

    private static bool TryDay(string? text, string option, out DateOnly day, out string problem)
    {
        problem = string.Empty;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
        {
            return true;
        }

        problem = text is null ? $"{option} is required (yyyy-MM-dd)." : $"{option} must be a date, yyyy-MM-dd; got '{text}'.";
        return false;
    }
}
